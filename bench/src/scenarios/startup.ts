/**
 * Worker side of the start-up section: what one `ctrnet` command costs
 * from the shell, set against Node's own start-up. In this task's host
 * namespace a ctrnetd serves one state dir; a second state dir has no
 * daemon. Each round times, in a rotating order so no command always runs
 * right after another, one of each:
 *
 * - `node -e 0` (the floor any Node CLI stands on),
 * - `ctrnet ps` through the daemon, and in-process on the other state dir,
 * - `ctrnet run -d -p 20001:80 -- sleep infinity` then `ctrnet rm -f`
 *   through the daemon (a pair: rm needs the container run made).
 *
 * Interleaving puts every command under the same drifting load, as the
 * data plane does with its two setups. Then the thin client is profiled
 * (client-profile.ts) while the daemon is still up.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ctrnetArgv, ctrnetEnv, type DaemonMode } from '../cli-process.js';
import { profileClient, type ClientProfile } from '../client-profile.js';
import { containerName, ctrnetStateDir } from '../ctrnet.js';
import { Ctrnetd } from '../ctrnetd.js';
import { exec, TOOL_ENV } from '../exec.js';
import { CONTAINER_PORT, hostPort } from '../runner.js';
import { ServerTimes } from '../server-times.js';

export interface StartupTask {
  kind: 'startup';
  /** Timed rounds: each command once per round. */
  rounds: number;
  /** Runs of each command in the profile's timing part. */
  profileRuns: number;
}

/** The timed commands, in the order the report shows them. */
export const STARTUP_COMMANDS = ['node', 'psDaemon', 'psLocal', 'runDaemon', 'rmDaemon'] as const;
export type StartupCommand = (typeof STARTUP_COMMANDS)[number];

/** The commands a daemon answers: their time inside ctrnetd is recorded too. */
export const DAEMON_COMMANDS = ['psDaemon', 'runDaemon', 'rmDaemon'] as const satisfies readonly StartupCommand[];
export type DaemonCommand = (typeof DAEMON_COMMANDS)[number];

export interface StartupRecord {
  kind: 'startup';
  status: 'ok' | 'failed' | 'interrupted';
  error?: string;
  rounds: number;
  /** Wall time (ms) of each command, one sample per round. */
  samples: Record<StartupCommand, number[]>;
  /** Of each daemon command's sample, the ms ctrnetd spent answering it (preload/time-server.cjs), in the same order. */
  inDaemon: Record<DaemonCommand, number[]>;
  profile?: ClientProfile;
}

/** The container every round runs and removes; its port is the comparison's container 1's. */
const ROUND_CONTAINER = 1;

export async function runStartup(task: StartupTask, tmpDir: string, signal: AbortSignal, log: (line: string) => void): Promise<StartupRecord> {
  const record: StartupRecord = { kind: 'startup', status: 'failed', rounds: task.rounds, samples: { node: [], psDaemon: [], psLocal: [], runDaemon: [], rmDaemon: [] }, inDaemon: { psDaemon: [], runDaemon: [], rmDaemon: [] } };
  const served = ctrnetStateDir(tmpDir);
  const local = join(tmpDir, 'state-local');
  for (const dir of [served, local]) mkdirSync(dir, { recursive: true });
  const server = new ServerTimes(tmpDir);
  const daemon = new Ctrnetd(served, join(tmpDir, 'ctrnetd.log'), server.recorder);
  const ctrnet = (mode: DaemonMode, stateDir: string, ...args: string[]) => exec(ctrnetArgv(stateDir, args), { env: ctrnetEnv(mode) });
  const name = containerName(ROUND_CONTAINER);
  let recording = false;
  const timed = async (command: StartupCommand, call: () => Promise<unknown>): Promise<void> => {
    server.drain();
    const start = performance.now();
    await call();
    const wall = performance.now() - start;
    const inDaemon = isDaemonCommand(command) ? sum(await server.take(1)) : 0;
    if (!recording) return;
    record.samples[command].push(wall);
    if (isDaemonCommand(command)) record.inDaemon[command].push(inDaemon);
  };
  const units: (() => Promise<void>)[] = [
    () => timed('node', () => exec([process.execPath, '-e', '0'], { env: TOOL_ENV })),
    () => timed('psDaemon', () => ctrnet('required', served, 'ps')),
    () => timed('psLocal', () => ctrnet('never', local, 'ps')),
    async () => {
      await timed('runDaemon', () => ctrnet('required', served, 'run', '-d', '--name', name, '-p', `${hostPort(ROUND_CONTAINER)}:${CONTAINER_PORT}`, '--', 'sleep', 'infinity'));
      await timed('rmDaemon', () => ctrnet('required', served, 'rm', '-f', name));
    },
  ];
  try {
    await daemon.start();
    // Untimed: the in-process store gets created, the bridge and the base rules get made, files get cached.
    for (const unit of units) await unit();
    recording = true;
    for (let r = 0; r < task.rounds; r++) {
      signal.throwIfAborted();
      for (let k = 0; k < units.length; k++) await units[(r + k) % units.length]!();
      if ((r + 1) % Math.max(1, Math.round(task.rounds / 4)) === 0) log(`  startup: round ${r + 1}/${task.rounds}`);
    }
    recording = false;
    record.profile = await profileClient({ stateDir: served, localStateDir: local, tmpDir, server, runs: task.profileRuns, signal, containerName: name, publish: `${hostPort(ROUND_CONTAINER)}:${CONTAINER_PORT}` });
    record.status = 'ok';
  } catch (err) {
    record.status = signal.aborted ? 'interrupted' : 'failed';
    record.error = err instanceof Error ? err.message : String(err);
  } finally {
    await daemon.stop().catch((err: unknown) => log(`  startup: ${err instanceof Error ? err.message : String(err)}`));
    for (const dir of [served, local]) await ctrnet('never', dir, 'system', 'reset').catch((err: unknown) => log(`  startup: reset of ${dir}: ${String(err)}`));
  }
  return record;
}

const isDaemonCommand = (command: StartupCommand): command is DaemonCommand => (DAEMON_COMMANDS as readonly string[]).includes(command);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
