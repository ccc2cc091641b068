import type { ExposedPort, LinkRule } from '../types.js';
import type { RunSpec } from './run-spec.js';

/** The fixed addresses a container asked for on one network (`--ip`, `--ip6`). */
export interface StaticAddresses {
  ip?: string;
  ip6?: string;
}

/** How a container joins a network it was connected to: fixed addresses, and more DNS names there. */
export interface ConnectOptions extends StaticAddresses {
  aliases?: string[];
}

/** What the store keeps per container: the run spec plus what ctrnet settled for it. */
export interface ContainerSpec extends RunSpec {
  /** Resolved hostname (default: first 12 chars of the id). */
  hostname: string;
  /** Ids of the networks the container is attached to, primary first (`network connect` appends). */
  networks: string[];
  /** How the container joins networks other than the first (`network connect --ip --ip6 --alias`), by network id. */
  connections?: Record<string, ConnectOptions>;
  /** Removed when its command exits (a foreground run, or `--rm`). */
  autoRemove: boolean;
  /** `--user` resolved against the host's passwd and group files: `uid:gid`. */
  userIds?: string;
  /** Link rules installed for the current run (ICC off), so reload and stop know them. */
  linkRules?: LinkRule[];
  /** Warnings for the user (e.g. ports discarded in host mode). */
  warnings?: string[];
}

/**
 * Every port the container declares: `--expose`d ports, then the container
 * side of every `-p` (publishing implies exposing, as in Docker), without
 * duplicates. What link variables and `inspect`'s ExposedPorts list.
 */
export function declaredPorts(spec: Pick<RunSpec, 'expose' | 'publish'>): ExposedPort[] {
  const published = spec.publish.flatMap((p) =>
    Array.from({ length: p.containerPorts.end - p.containerPorts.start + 1 }, (_, i) => ({ port: p.containerPorts.start + i, protocol: p.protocol })),
  );
  const seen = new Set<string>();
  return [...spec.expose, ...published].filter((p) => !seen.has(`${p.port}/${p.protocol}`) && seen.add(`${p.port}/${p.protocol}`));
}

/** The mode part of `--net`: `container:NAME` → ['container', 'NAME']; others → [mode]. */
export function splitNetworkMode(mode: string): [string, string?] {
  return mode.startsWith('container:') ? ['container', mode.slice('container:'.length)] : [mode];
}
