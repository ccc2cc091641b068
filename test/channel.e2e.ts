/**
 * End to end: ctrnetd's kernel channels (its resident `ip -force -batch -`
 * and `nft -i` coprocesses) killed in the middle of an operation. Whatever
 * the kill interrupts, the operation must complete or roll back, never
 * stop half-applied without saying so: afterwards `system gc` leaves the
 * kernel and the store consistent (the audit of the crash suite), the next
 * run gets the same port, and a second gc finds nothing to clean.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createCtrnetEnv, useTestNamespaces, type CtrnetEnv } from '@ctrnet/testkit';
import { audit, pidsWithArg, ps } from './helpers/state.js';

const PORT = 18091;
/** A `sleep` duration no other process on the machine uses, so the audit can count this test's container processes. */
const MARKER = `301.${process.pid}`;

/** ctrnetd's children: its two coprocesses (`ip -force -batch -`, `nft -i`) are `channel`s, the rest are commands it spawned. */
function children(env: CtrnetEnv): { pid: number; argv: string[]; channel: boolean }[] {
  const daemon = Number(readFileSync(join(env.stateDir, 'ctrnetd.pid'), 'utf8').trim());
  const found: { pid: number; argv: string[]; channel: boolean }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== daemon) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      found.push({ pid: Number(entry), argv, channel: ['ip -force -batch -', 'nft -i'].includes(argv.join(' ')) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const channels = (env: CtrnetEnv) => children(env).filter((c) => c.channel);

/** How the channels die while a call is in flight. */
type Kills =
  /** One channel (the ip or the nft coprocess), once, `afterMs` after the operation got going (see {@link underKills}): it may still complete. */
  | { mode: 'single'; which: 'ip' | 'nft'; afterMs: number }
  /** Every channel every millisecond until the call returns: the undo of a failed step loses its channel too, and gc must finish the job. */
  | { mode: 'storm' };

/**
 * Runs one CLI call through the daemon and SIGKILLs the daemon's channels
 * while it is in flight. A single kill is timed from the moment the
 * daemon's work shows: for `run`, its first spawned command (the
 * namespace); for `rm -f`, which spawns nothing, the container's process
 * gone (the network's release through the channels comes next).
 */
async function underKills(env: CtrnetEnv, args: string[], kills: Kills): Promise<{ exitCode: number; kills: number }> {
  let killed = 0;
  let done = false;
  let started: number | undefined;
  // Children from before the call (the firewall guard's `nft monitor`) are not the operation's.
  const before = new Set(children(env).map((c) => c.pid));
  const removing = args[0] === 'rm';
  const call = env.cli(args).finally(() => (done = true));
  while (!done && !(kills.mode === 'single' && killed > 0)) {
    const now = children(env);
    const going = removing ? pidsWithArg(MARKER).length === 0 : now.some((c) => !c.channel && !before.has(c.pid));
    if (started === undefined && going) started = Date.now();
    const due = kills.mode === 'storm' || (started !== undefined && Date.now() - started >= kills.afterMs);
    for (const channel of due ? now.filter((c) => c.channel) : []) {
      if (kills.mode === 'single' && channel.argv[0] !== kills.which) continue;
      try {
        process.kill(channel.pid, 'SIGKILL');
        killed++;
      } catch {
        // exited already
      }
    }
    await sleep(1);
  }
  return { exitCode: (await call).exitCode, kills: killed };
}

describe('kernel channels killed mid-operation (e2e, through ctrnetd)', function () {
  this.timeout(240_000);
  const tn = useTestNamespaces();

  it('run -d -p and rm -f complete or roll back; gc then finds the kernel and store consistent, and a second gc nothing', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true });
    // The bridge and the backend's base rules exist first, so the kills land in per-container work.
    await env.ok('run', '-d', '--name', 'warm', '--', 'sleep', MARKER);
    await env.ok('rm', '-f', 'warm');
    expect(channels(env), 'the daemon keeps an ip and an nft coprocess').to.have.length(2);
    const failures: string[] = [];
    const outcomes: string[] = [];
    // A run spawns its first command (the namespace) ~15 ms before its nft request; an rm releases the network right after the process.
    const plan: Kills[] = [
      ...[0, 5, 10, 15].flatMap((afterMs) => (['ip', 'nft'] as const).map((which) => ({ mode: 'single' as const, which, afterMs }))),
      { mode: 'storm' },
      { mode: 'storm' },
    ];
    for (const [round, kills] of plan.entries()) {
      const mode = kills.mode === 'single' ? `${kills.which} at ${kills.afterMs} ms` : 'storm';
      const run = await underKills(env, ['run', '-d', '--name', 'victim', '-p', `${PORT}:80`, '--', 'sleep', MARKER], kills);
      const running = (await ps(env)).some((c) => c.Name === 'victim' && c.Status === 'running');
      const rm = running ? await underKills(env, ['rm', '-f', 'victim'], kills) : undefined;
      outcomes.push(`${mode}: run ${run.exitCode} (${run.kills} kills)${rm ? `, rm ${rm.exitCode} (${rm.kills} kills)` : ''}`);
      const gc = await env.cli(['system', 'gc']);
      if (gc.exitCode !== 0) failures.push(`${round} (${mode}): system gc exited ${gc.exitCode}: ${gc.stderr.trim()}`);
      for (const p of await audit(env, { ports: [PORT], processMarker: MARKER })) failures.push(`${round} (${mode}), after gc: ${p}`);
      // Whatever is left of the victim (rm failed, or run stopped half-way and gc kept a created container) goes; its port must be free.
      if ((await ps(env)).some((c) => c.Name === 'victim')) await env.ok('rm', '-f', 'victim');
      await env.ok('run', '-d', '--name', 'next', '-p', `${PORT}:80`, '--', 'sleep', MARKER);
      await env.ok('rm', '-f', 'next');
      const again = (await env.ok('system', 'gc')).trim();
      if (again !== 'nothing to clean') failures.push(`${round} (${mode}): second gc was not idempotent: ${again}`);
    }
    expect(failures, outcomes.join('\n')).to.deep.equal([]);
    expect(channels(env), 'the channels are back after the kills').to.have.length.at.most(2);
  });
});
