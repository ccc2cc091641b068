/**
 * `container prune`, `network prune` and `system prune`: Docker's prompts
 * ("Are you sure you want to continue? [y/N]", skipped with -f) and reports
 * ("Deleted Containers:"). Each removal is one API call, so a container
 * started meanwhile is refused by the runtime and simply not pruned.
 */
import type { Command } from 'commander';
import { isCtrnetError, type CtrnetApi } from '@ctrnet/core/api';
import { isBuiltinNetwork } from '../listing/network-rows.js';
import type { Form } from '../program.js';
import { withApi } from '../session.js';

export const CONTAINER_PRUNE_WARNING = 'WARNING! This will remove all stopped containers.';
export const NETWORK_PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one container.';
export const SYSTEM_PRUNE_WARNING = 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n';

/** `container prune` (Docker has no top-level `prune`). */
export function registerContainerPrune(parent: Command, _result: unknown, form: Form): void {
  if (form !== 'container') return;
  parent
    .command('prune')
    .description('remove every stopped container')
    .option('-f, --force', 'do not ask for confirmation')
    .action(async (opts: { force?: boolean }, cmd: Command) => {
      if (!(await confirmPrune(CONTAINER_PRUNE_WARNING, opts.force))) return;
      process.stdout.write(prunedReport('Containers', await withApi(cmd, (api) => pruneContainers(api))));
    });
}

/** Ask on stdout, read one line of stdin; only y or yes goes on. `force` skips the question. */
export async function confirmPrune(warning: string, force: boolean | undefined): Promise<boolean> {
  if (force) return true;
  process.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  return isYes(await readLine());
}

export function isYes(answer: string): boolean {
  return ['y', 'yes'].includes(answer.trim().toLowerCase());
}

function readLine(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      process.stdin.off('data', onData).off('end', done).off('error', done);
      process.stdin.pause();
      resolve(text.split('\n')[0]!);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) done();
    };
    process.stdin.on('data', onData).once('end', done).once('error', done);
  });
}

/** Remove every container that is not running or paused; returns their ids. */
export async function pruneContainers(api: CtrnetApi): Promise<string[]> {
  const removed: string[] = [];
  for (const c of await api.call('container.list', { all: true })) {
    if (c.Status !== 'exited' && c.Status !== 'created') continue;
    if (await skipGone(() => api.call('container.remove', { name: c.Id }))) removed.push(c.Id);
  }
  return removed;
}

/** Remove every user-defined network without containers; returns their names. */
export async function pruneNetworks(api: CtrnetApi): Promise<string[]> {
  const removed: string[] = [];
  for (const n of await api.call('network.list', {})) {
    if (isBuiltinNetwork(n) || n.Containers > 0) continue;
    if (await skipGone(() => api.call('network.remove', { name: n.Id }))) removed.push(n.Name);
  }
  return removed;
}

/** Run a removal; false when the object went away or came into use meanwhile. */
async function skipGone(remove: () => Promise<unknown>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (err) {
    if (isCtrnetError(err, 'NOT_FOUND', 'CONFLICT', 'INVALID_STATE')) return false;
    throw err;
  }
}

/** `Deleted Containers:` and one line each; nothing when nothing was removed. */
export function prunedReport(what: 'Containers' | 'Networks', removed: readonly string[]): string {
  return removed.length ? `Deleted ${what}:\n${removed.map((r) => `${r}\n`).join('')}` : '';
}
