import { readdirSync } from 'node:fs';
import { exec } from './exec.js';
import type { CommandRunner } from './rss.js';

/** Where `ip netns add` mounts named namespaces; CNI_NETNS and netavark take these paths. */
export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** Creates a named namespace the way a container runtime would, as part of the timed work. */
export async function addNetns(run: CommandRunner, name: string): Promise<void> {
  await run.run(['ip', 'netns', 'add', name]);
}

export async function delNetns(run: CommandRunner, name: string): Promise<void> {
  await run.run(['ip', 'netns', 'del', name]);
}

/** Named namespaces whose name starts with `prefix` (leftovers of a crashed or interrupted run). */
export function listNetns(prefix: string): string[] {
  try {
    return readdirSync(NETNS_DIR).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/** Deletes every named namespace starting with `prefix`; failures are reported, not thrown. */
export async function deleteNetnsByPrefix(prefix: string): Promise<string[]> {
  const errors: string[] = [];
  for (const name of listNetns(prefix)) {
    await exec(['ip', 'netns', 'del', name]).catch((err: Error) => errors.push(err.message));
  }
  return errors;
}
