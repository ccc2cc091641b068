/**
 * The supervisor of a detached container: a POSIX sh that starts the
 * container's argv chain, waits for it, records its exit status, and then
 * execs the reaper (`ctrnet system reap ID RUN STATUS`), so an exit releases
 * the container's addresses and ports without a Node process per container.
 *
 * With a terminal (`-t`), the chain runs inside dtach, which holds the
 * pseudo-terminal while nobody is attached and lets `ctrnet attach` connect
 * to it over a unix socket (see attach-protocol in the CLI). dtach does not
 * report its child's status, so a small recorder inside the pty writes it.
 *
 * Without a terminal, the command's stdout and stderr go (merged, as
 * before) into a FIFO read by a `while read` loop of the same sh, which
 * writes each line to the log prefixed with the time it was read: the
 * machine's boot time (wall clock, from ctrnet) plus /proc/uptime, all in
 * sh builtins, so no process starts per line and none per container but
 * that forked loop. `ctrnet logs` turns the stamps into `--timestamps`,
 * `--since` and `--until` (see log-lines.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CtrnetError } from '../errors.js';
import { containerArgv, type ProcessSetup } from './container-argv.js';
import { listProcesses, readEnviron, stopProcess } from './processes.js';

/** How a detached container reports its exit back to ctrnet. */
export interface Reaper {
  /** Node binary and CLI script that implement `system reap`. */
  node: string;
  cli: string;
  stateDir: string;
}

/** The files of one run of a detached container. */
export interface RunFiles {
  /** Where the command's output goes (no terminal). */
  log: string;
  /** Exit status of the run, written when it ends. */
  exit: string;
  /** Present while the supervisor should report the exit; stop and rm remove it, as they release the network themselves. */
  reap: string;
  /** The pty holder's socket (with a terminal). */
  attachSocket: string;
  /** The FIFO a gated start waits on (see ProcessSetup.gate). */
  gate: string;
}

/**
 * Reaper details arrive in environment variables that are unset before the
 * command starts, so they never leak into the container's environment.
 */
const SUPERVISOR_SCRIPT = [
  'r_argv0=$CTRNET_REAP_NODE r_cli=$CTRNET_REAP_CLI r_state=$CTRNET_REAP_STATE r_id=$CTRNET_REAP_ID r_run=$CTRNET_REAP_RUN',
  'r_exit=$CTRNET_EXIT_FILE r_reap=$CTRNET_REAP_FILE r_sock=$CTRNET_ATTACH_SOCKET r_gate=$CTRNET_GATE r_boot=$CTRNET_LOG_BOOT',
  'unset CTRNET_REAP_NODE CTRNET_REAP_CLI CTRNET_REAP_STATE CTRNET_REAP_ID CTRNET_REAP_RUN CTRNET_EXIT_FILE CTRNET_REAP_FILE CTRNET_ATTACH_SOCKET CTRNET_GATE CTRNET_LOG_BOOT',
  'rm -f "$r_exit" "$r_sock"',
  'if [ -n "$r_sock" ]; then mkdir -p -m 700 "${r_sock%/*}"; fi',
  'if [ -n "$r_gate" ]; then rm -f "$r_gate" && mkfifo -m 600 "$r_gate"; fi',
  'if [ -n "$r_sock" ]; then',
  // -E: no detach character (ctrnet attach handles Docker's detach keys); -z: no suspend key; -r winch: an attaching client makes the program redraw.
  '  dtach -N "$r_sock" -E -z -r winch sh -c \'f=$1; shift; "$@"; echo $? > "$f.tmp" && mv "$f.tmp" "$f"\' ctrnet-record "$r_exit" "$@" </dev/null &',
  '  wait $!',
  '  status=$(cat "$r_exit" 2>/dev/null) || status=137',
  'else',
  '  r_fifo="${r_exit%/*}/log.fifo"',
  '  rm -f "$r_fifo" && mkfifo -m 600 "$r_fifo"',
  // One line in, one stamped line out: centiseconds since the epoch = boot time + uptime ("12345.67" → 1234567).
  '  while IFS= read -r l || [ -n "$l" ]; do read -r up _ </proc/uptime; printf \'%s %s\\n\' $((r_boot + ${up%.*}00 + 1${up#*.} - 100)) "$l"; done <"$r_fifo" &',
  '  "$@" </dev/null >"$r_fifo" 2>&1 &',
  '  wait $!',
  '  status=$?',
  // The loop ends once every writer (the container's processes, gone with its PID namespace) has closed the FIFO.
  '  wait',
  '  rm -f "$r_fifo"',
  '  echo "$status" > "$r_exit.tmp" && mv "$r_exit.tmp" "$r_exit"',
  'fi',
  '[ -e "$r_reap" ] || exit 0',
  'exec "$r_argv0" "$r_cli" --state-dir "$r_state" system reap "$r_id" "$r_run" "$status" >/dev/null 2>&1',
].join('\n');

/** Start a detached container; resolves with the host PID of its PID 1 once it runs. */
export async function spawnDetached(setup: ProcessSetup, reaper: Reaper, ids: { containerId: string; runId: number }, files: RunFiles): Promise<number> {
  const log = openSync(files.log, 'a', 0o600);
  writeFileSync(files.reap, '');
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
        CTRNET_EXIT_FILE: files.exit,
        CTRNET_REAP_FILE: files.reap,
        CTRNET_ATTACH_SOCKET: setup.tty ? files.attachSocket : '',
        CTRNET_GATE: setup.gate ?? '',
        CTRNET_LOG_BOOT: String(bootTimeCentiseconds()),
      },
    });
    child.unref();
    return await waitForInitPid(setup.initPidFile, child);
  } finally {
    closeSync(log);
  }
}

/** When the machine booted, in centiseconds since the epoch: now less /proc/uptime (the clock the supervisor's stamps add to it). */
function bootTimeCentiseconds(): number {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Math.round(Date.now() / 10 - uptime * 100);
}

/** PID 1's host PID, once the init script has written it. */
export async function waitForInitPid(path: string, starter?: ChildProcess, timeoutMs = 5000): Promise<number> {
  for (let waited = 0; waited < timeoutMs; waited += 2) {
    const pid = readPid(path);
    if (pid) return pid;
    if (starter && starter.exitCode !== null) break;
    await sleep(2);
  }
  throw new CtrnetError('INTERNAL', `the container's command did not start (its pid file ${path} is missing); see the container's log with ctrnet logs`);
}

/** The run's recorded exit status, waiting briefly for the supervisor to write it. */
export async function recordedExit(files: Pick<RunFiles, 'exit'>, waitMs = 1000): Promise<number | undefined> {
  // The supervisor writes it a moment after its command dies: poll fast first, then every 5 ms.
  for (let waited = 0, step = 1; waited <= waitMs; waited += step, step = Math.min(step * 2, 5)) {
    const raw = readOr(files.exit);
    if (raw !== undefined && /^\d+$/.test(raw.trim())) return Number(raw.trim());
    await sleep(step);
  }
  return undefined;
}

/**
 * Stop the command of a detached container's run found by its supervisor,
 * not by a PID: for a crash between spawning and journalling the PID. The
 * supervisor is the process whose environment carries the run's
 * CTRNET_REAP_ID and CTRNET_REAP_RUN (set at spawn, so unique); the
 * container's processes are its descendants. Finding none means there is
 * nothing to stop.
 */
export async function stopSupervised(containerId: string, runId: number, graceMs: number): Promise<void> {
  const marks = [`CTRNET_REAP_ID=${containerId}`, `CTRNET_REAP_RUN=${runId}`];
  const processes = listProcesses();
  const supervisors = new Set(processes.filter((p) => p.comm === 'sh' && marks.every((m) => readEnviron(p.pid).includes(m))).map((p) => p.pid));
  // Descendants, nearest first: the parent script, PID 1, what it started.
  const family: typeof processes = [];
  for (let frontier = new Set(supervisors); frontier.size; ) {
    const next = processes.filter((p) => frontier.has(p.ppid));
    family.push(...next);
    frontier = new Set(next.map((p) => p.pid));
  }
  for (const p of family.reverse()) await stopProcess(p.pid, p.start, graceMs);
}

function readPid(path: string): number | undefined {
  const pid = Number(readOr(path)?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
