/**
 * Keeping one network's per-remote-host entries in the kernel in step with
 * the tunnel endpoints etcd lists: add or refresh each remote host's route,
 * neighbour and FDB entries, and remove those of hosts that are gone. The
 * kernel is read back (routes via a gateway on the bridge, FDB entries on
 * the VXLAN device), so entries of a host that vanished while nobody
 * watched are found too.
 */
import createDebug from 'debug';
import type { Executor } from '@ctrnet/core';
import { remoteFdbLines, remoteFdbRemoval, remoteIpCommands, remoteIpRemoval, type RemoteSide } from './commands.js';

const debug = createDebug('ctrnet:driver-overlay:remote-hosts');

interface RouteEntry {
  dst: string;
  gateway?: string;
}

interface FdbEntry {
  mac: string;
  dst?: string;
  flags?: string[];
  master?: string;
}

/** What the kernel holds for remote hosts on one network. */
async function current(exec: Executor, bridge: string, vxlan: string): Promise<{ routes: RouteEntry[]; macs: Set<string> }> {
  const routes = JSON.parse((await exec.run(['ip', '-j', '-4', 'route', 'show', 'dev', bridge])).stdout || '[]') as RouteEntry[];
  const fdb = JSON.parse((await exec.run(['bridge', '-j', 'fdb', 'show', 'dev', vxlan])).stdout || '[]') as FdbEntry[];
  return { routes: routes.filter((r) => r.gateway), macs: new Set(fdb.filter((e) => e.dst).map((e) => e.mac)) };
}

/** Program `remotes` and remove every other remote entry. Returns one line per host added or removed. */
export async function syncRemotes(exec: Executor, bridge: string, vxlan: string, remotes: readonly RemoteSide[]): Promise<string[]> {
  const have = await current(exec, bridge, vxlan);
  const lines: string[] = [];
  const wantedSlices = new Set(remotes.map((r) => r.slice));
  const wantedMacs = new Set(remotes.map((r) => r.mac));
  for (const route of have.routes) {
    if (wantedSlices.has(route.dst)) continue;
    await exec.ip(remoteIpRemoval(bridge, route.dst, route.gateway!), { ignoreMissing: true });
    lines.push(`removed route to ${route.dst} (host gone)`);
  }
  const stale = [...have.macs].filter((m) => !wantedMacs.has(m));
  if (stale.length) await bridgeBatch(exec, stale.flatMap((m) => remoteFdbRemoval(vxlan, m)));
  if (remotes.length) {
    await exec.ip(remotes.flatMap((r) => remoteIpCommands(bridge, r)));
    await bridgeBatch(exec, remotes.flatMap((r) => remoteFdbLines(vxlan, r)));
    for (const r of remotes) if (!have.routes.some((x) => x.dst === r.slice)) lines.push(`added host ${r.host} (${r.slice} via ${r.address})`);
  }
  debug('%s: %d remote hosts, %s', bridge, remotes.length, lines.join('; ') || 'no change');
  return lines;
}

/** Add or refresh one remote host's entries. */
export async function addRemote(exec: Executor, bridge: string, vxlan: string, remote: RemoteSide): Promise<void> {
  await exec.ip(remoteIpCommands(bridge, remote));
  await bridgeBatch(exec, remoteFdbLines(vxlan, remote));
}

/** Remove one remote host's entries. Idempotent. */
export async function removeRemote(exec: Executor, bridge: string, vxlan: string, remote: RemoteSide): Promise<void> {
  await exec.ip(remoteIpRemoval(bridge, remote.slice, remote.gateway), { ignoreMissing: true });
  await bridgeBatch(exec, remoteFdbRemoval(vxlan, remote.mac));
}

/** `bridge -force -batch -`: every line runs; a missing entry's failure is no failure for a removal. */
async function bridgeBatch(exec: Executor, lines: readonly string[]): Promise<void> {
  if (!lines.length) return;
  await exec.run(['bridge', '-force', '-batch', '-'], { input: lines.join('\n') + '\n' }).catch((err: unknown) => {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    // Removals of entries that are not there fail with ENOENT; nothing else is expected.
    if (!/No such file or directory|Cannot find device/.test(stderr)) throw err;
    debug('bridge batch: %s', stderr.trim());
  });
}
