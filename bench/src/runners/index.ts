import type { RunnerDefinition } from '../runner.js';
import { cniRunner } from './cni.js';
import { ctrnetApiIptablesRunner, ctrnetApiNftablesRunner } from './ctrnet-api.js';
import { ctrnetCliRunner } from './ctrnet-cli.js';
import { ctrnetDaemonRunner } from './ctrnet-daemon.js';
import { netavarkRunner } from './netavark.js';

/**
 * Every runner the bench knows, in table order: the first successful one is
 * the baseline of the ratio columns. To add one, write `runners/<name>.ts`
 * exporting a RunnerDefinition and list it here (ctrnet's runners belong first).
 */
const REGISTERED: readonly RunnerDefinition[] = [ctrnetApiNftablesRunner, ctrnetApiIptablesRunner, ctrnetCliRunner, ctrnetDaemonRunner, cniRunner, netavarkRunner];

/** The registry as a list, checked once so a copy-pasted name cannot shadow another runner. */
export const runners: readonly RunnerDefinition[] = checkedRegistry(REGISTERED);

function checkedRegistry(definitions: readonly RunnerDefinition[]): readonly RunnerDefinition[] {
  const seen = new Set<string>();
  for (const { name } of definitions) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`runner name "${name}" must be lower-case letters, digits and dashes`);
    if (seen.has(name)) throw new Error(`two runners are registered as "${name}": rename one`);
    seen.add(name);
  }
  return definitions;
}

/** The runners `--only` names, in registry order; unknown names are an error listing the known ones. */
export function selectRunners(only: readonly string[] | undefined): readonly RunnerDefinition[] {
  if (!only) return runners;
  const known = runners.map((r) => r.name);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown runner ${unknown.join(', ')}: choose from ${known.join(', ')}`);
  return runners.filter((r) => only.includes(r.name));
}
