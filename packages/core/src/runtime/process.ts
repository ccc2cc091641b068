import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CtrnetError } from '../errors.js';

/**
 * Starting and stopping a container's command. The command runs inside the
 * container's namespaces through a fixed argv chain, never a built shell
 * string: nsenter (network) → unshare (UTS + private mounts) → a fixed sh
 * script that sets the hostname, bind-mounts hosts/resolv.conf and execs
 * the command, whose words arrive as positional parameters.
 */

/** What the container's process needs to see. */
export interface ProcessSetup {
  netnsPath?: string;
  /** Hostname for a new UTS namespace; absent = share the host's (host mode). */
  hostname?: string;
  hostsFile: string;
  resolvFile: string;
  env: Record<string, string>;
  command: string[];
}

/** Sets up the namespaces' view, then becomes the command ("$@"). */
const ENTER_SCRIPT = [
  'set -e',
  'if [ -n "$1" ]; then hostname "$1"; fi',
  'mount --bind "$2" /etc/hosts',
  'mount --bind "$3" /etc/resolv.conf',
  // A sysfs mounted from inside the network namespace shows the container's interfaces, as in Docker.
  'if [ "$4" = own-netns ]; then mount -t sysfs -o ro,nosuid,nodev,noexec ctrnet-sysfs /sys; fi',
  'shift 4',
  'exec "$@"',
].join('\n');

/** argv that runs `setup.command` inside the container's namespaces. */
export function containerArgv(setup: ProcessSetup): string[] {
  const enterNet = setup.netnsPath ? ['nsenter', `--net=${setup.netnsPath}`, '--'] : [];
  const unshare = ['unshare', ...(setup.hostname ? ['--uts'] : []), '--mount', '--propagation', 'private', '--'];
  const sysfs = setup.netnsPath ? 'own-netns' : 'host-netns';
  return [...enterNet, ...unshare, 'sh', '-c', ENTER_SCRIPT, 'ctrnet-init', setup.hostname ?? '', setup.hostsFile, setup.resolvFile, sysfs, ...setup.command];
}

/**
 * The detached supervisor: a POSIX sh that waits for the command and then
 * execs the reaper (`ctrnet system reap ID RUN STATUS`), so an exit releases
 * the container's addresses and ports without a Node process per container.
 * Reaper details arrive in environment variables that are unset before the
 * command starts, so they never leak into the container's environment.
 */
const SUPERVISOR_SCRIPT = [
  'r_argv0=$CTRNET_REAP_NODE r_cli=$CTRNET_REAP_CLI r_state=$CTRNET_REAP_STATE r_id=$CTRNET_REAP_ID r_run=$CTRNET_REAP_RUN r_pid=$CTRNET_REAP_PIDFILE',
  'unset CTRNET_REAP_NODE CTRNET_REAP_CLI CTRNET_REAP_STATE CTRNET_REAP_ID CTRNET_REAP_RUN CTRNET_REAP_PIDFILE',
  '"$@" </dev/null &',
  'child=$!',
  'echo "$child" > "$r_pid.tmp" && mv "$r_pid.tmp" "$r_pid"',
  'wait "$child"',
  'status=$?',
  // ctrnet stop/rm delete the pid file before signalling: they release the network themselves.
  '[ -e "$r_pid" ] || exit 0',
  'exec "$r_argv0" "$r_cli" --state-dir "$r_state" system reap "$r_id" "$r_run" "$status" >/dev/null 2>&1',
].join('\n');

/** How a detached container reports its exit back to ctrnet. */
export interface Reaper {
  /** Node binary and CLI script that implement `system reap`. */
  node: string;
  cli: string;
  stateDir: string;
}

/** Start a detached container command; resolves with its PID once it runs. */
export async function spawnDetached(
  setup: ProcessSetup,
  reaper: Reaper,
  ids: { containerId: string; runId: number },
  files: { log: string; pidFile: string },
): Promise<number> {
  const log = openSync(files.log, 'a', 0o600);
  try {
    const child = spawn('sh', ['-c', SUPERVISOR_SCRIPT, 'ctrnet-supervisor', ...containerArgv(setup)], {
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...setup.env,
        CTRNET_REAP_NODE: reaper.node,
        CTRNET_REAP_CLI: reaper.cli,
        CTRNET_REAP_STATE: reaper.stateDir,
        CTRNET_REAP_ID: ids.containerId,
        CTRNET_REAP_RUN: String(ids.runId),
        CTRNET_REAP_PIDFILE: files.pidFile,
      },
    });
    child.unref();
    return await waitForPidFile(files.pidFile, child);
  } finally {
    closeSync(log);
  }
}

async function waitForPidFile(path: string, supervisor: ChildProcess): Promise<number> {
  for (let waited = 0; waited < 5000; waited += 2) {
    try {
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid > 0) return pid;
    } catch {
      // not written yet
    }
    if (supervisor.exitCode !== null) break;
    await sleep(2);
  }
  throw new CtrnetError('INTERNAL', `the container supervisor did not start (pid file ${path} missing); see the container's log with ctrnet logs`);
}

/** Start time of a process (field 22 of /proc/PID/stat), or undefined if it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The process is ours and alive (same PID and same start time as recorded; zombies count as gone). */
export function isAlive(pid: number | undefined, startTime: string | undefined): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && (startTime === undefined || fields[19] === startTime);
  } catch {
    return false;
  }
}

/**
 * Stop the command of a detached container's run found by its supervisor,
 * not by a PID: for a crash between spawning and journalling the PID. The
 * supervisor is the process whose environment carries the run's
 * CTRNET_REAP_ID and CTRNET_REAP_RUN (set at spawn, so unique); its
 * children are the command. Finding none means there is nothing to stop.
 */
export async function stopSupervised(containerId: string, runId: number, graceMs: number): Promise<void> {
  const marks = [`CTRNET_REAP_ID=${containerId}`, `CTRNET_REAP_RUN=${runId}`];
  const processes = listProcesses();
  const supervisors = processes.filter((p) => p.comm === 'sh' && marks.every((m) => readEnviron(p.pid).includes(m))).map((p) => p.pid);
  for (const child of processes.filter((p) => supervisors.includes(p.ppid))) await stopProcess(child.pid, child.start, graceMs);
}

/** Every process: PID, parent PID, command name and start time (from /proc/PID/stat). */
function listProcesses(): { pid: number; ppid: number; comm: string; start: string }[] {
  const found: { pid: number; ppid: number; comm: string; start: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.push({ pid: Number(entry), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), start: fields[19]! });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function readEnviron(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(pid: number, startTime: string | undefined, graceMs: number): Promise<void> {
  if (!isAlive(pid, startTime)) return;
  signal(pid, 'SIGTERM');
  // Most commands die within a millisecond or two of SIGTERM: poll fast first, then back off.
  for (let waited = 0, step = 1; waited < graceMs; waited += step, step = Math.min(step * 2, 50)) {
    if (!isAlive(pid, startTime)) return;
    await sleep(step);
  }
  signal(pid, 'SIGKILL');
  for (let waited = 0; waited < 5000 && isAlive(pid, startTime); waited += 10) await sleep(10);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
