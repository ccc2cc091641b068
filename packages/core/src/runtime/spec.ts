import type { LinkRule } from '../types.js';
import type { RunSpec } from './run-spec.js';

/** What the store keeps per container: the run spec plus what ctrnet settled for it. */
export interface ContainerSpec extends RunSpec {
  /** Resolved hostname (default: first 12 chars of the id). */
  hostname: string;
  /** Ids of the networks the container is attached to, primary first (`network connect` appends). */
  networks: string[];
  /** Foreground `run`: removed when its command exits. */
  autoRemove: boolean;
  /** Link rules installed for the current run (ICC off), so reload and stop know them. */
  linkRules?: LinkRule[];
  /** Warnings for the user (e.g. ports discarded in host mode). */
  warnings?: string[];
}

/** The mode part of `--net`: `container:NAME` → ['container', 'NAME']; others → [mode]. */
export function splitNetworkMode(mode: string): [string, string?] {
  return mode.startsWith('container:') ? ['container', mode.slice('container:'.length)] : [mode];
}
