/** Processes as /proc shows them: identity (PID + start time, so a reused PID is not ours), liveness, stopping. */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Fields of /proc/PID/stat after the command name (which may contain spaces and parentheses: split after the last ')'). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time of a process (field 22 of /proc/PID/stat), or undefined if it is gone. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The process is ours and alive (same PID and same start time as recorded; zombies count as gone). */
export function isAlive(pid: number | undefined, startTime: string | undefined): boolean {
  if (!pid) return false;
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== 'Z' && (startTime === undefined || fields[19] === startTime);
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  comm: string;
  start: string;
}

/** Every process: PID, parent PID, command name and start time. */
export function listProcesses(): ProcessEntry[] {
  const found: ProcessEntry[] = [];
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

export function readEnviron(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * `signal`, then SIGKILL after `graceMs`; resolves with how the process was
 * ended ('signal' = it went within the grace period) once it is gone.
 */
export async function stopProcess(pid: number, startTime: string | undefined, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<'gone' | 'signal' | 'killed'> {
  if (!isAlive(pid, startTime)) return 'gone';
  send(pid, signal);
  // Most commands die within a millisecond or two of the signal: poll fast first, then back off.
  for (let waited = 0, step = 1; waited < graceMs; waited += step, step = Math.min(step * 2, 50)) {
    if (!isAlive(pid, startTime)) return 'signal';
    await sleep(step);
  }
  send(pid, 'SIGKILL');
  // A killed process is gone within a millisecond or two: poll fast first here too (rm -f waits on this).
  for (let waited = 0, step = 1; waited < 5000 && isAlive(pid, startTime); waited += step, step = Math.min(step * 2, 10)) await sleep(step);
  return 'killed';
}

export function send(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
