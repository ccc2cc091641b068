import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import createDebug from 'debug';
import { exec, type ExecOptions, type ExecOutput } from './exec.js';

const debug = createDebug('ctrnet:bench:rss');

/** GNU time (Debian package `time`): reports a child's peak RSS, which Node cannot read for its children. */
const GNU_TIME = '/usr/bin/time';

/** Peak resident set size (VmHWM) of a live process in KiB, or undefined when it is gone. */
export function readVmHwmKiB(pid: number | 'self'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A process's resident memory now, and what it is made of (KiB, from /proc/PID/status). */
export interface RssReading {
  rssKiB: number;
  /** Heap, stacks, malloc: for Node mostly the V8 heap and native allocations. */
  anonKiB: number;
  /** Mapped files: the node binary, native addons. */
  fileKiB: number;
  shmemKiB: number;
  /** The mapped files holding the most resident memory (from /proc/PID/smaps), largest first. */
  topFiles: { path: string; kib: number }[];
}

/** Current resident memory of a live process, or undefined when it is gone. */
export function readRss(pid: number): RssReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
    const reading = { rssKiB: field('VmRSS'), anonKiB: field('RssAnon'), fileKiB: field('RssFile'), shmemKiB: field('RssShmem'), topFiles: topFiles(pid) };
    return Number.isNaN(reading.rssKiB) ? undefined : reading;
  } catch {
    return undefined;
  }
}

/** Resident KiB per mapped file, summed over its mappings; the `top` largest. */
function topFiles(pid: number, top = 3): RssReading['topFiles'] {
  const perFile = new Map<string, number>();
  let file: string | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    // A mapping's header: `start-end perms offset dev inode [path]`; its fields follow, one per line.
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) file = header[1]!.startsWith('/') ? header[1] : undefined;
    else if (file && line.startsWith('Rss:')) perFile.set(file, (perFile.get(file) ?? 0) + Number(/(\d+)/.exec(line)![1]));
  }
  return [...perFile].sort((a, b) => b[1] - a[1]).slice(0, top).map(([path, kib]) => ({ path, kib }));
}

/**
 * What Node itself takes when idle: the resident memory of `node` waiting
 * on a timer, read once it has started. The yardstick for a daemon's idle
 * figure, measured on this machine and this Node rather than assumed.
 */
export async function idleNodeRss(): Promise<RssReading | undefined> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write('up\\n'); setInterval(() => {}, 1e9)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    await lines.next();
    return child.pid === undefined ? undefined : readRss(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

/** Keeps the largest VmHWM seen across samples of a changing set of processes. */
export class PeakRss {
  private peak: number | undefined;

  sample(pids: readonly number[]): void {
    for (const pid of pids) {
      const kib = readVmHwmKiB(pid);
      if (kib !== undefined) this.peak = Math.max(this.peak ?? 0, kib);
    }
  }

  get kib(): number | undefined {
    return this.peak;
  }
}

/**
 * Runs a runner's commands. Normally a plain exec; inside measure() every
 * command is wrapped in GNU time and the largest child RSS is kept. The
 * wrapper costs an extra exec, so it is only used in an untimed probe.
 */
export class CommandRunner {
  private measuring = false;
  private peak = 0;

  constructor(private readonly scratchDir: string) {}

  async run(argv: readonly string[], options?: ExecOptions): Promise<ExecOutput> {
    if (!this.measuring) return exec(argv, options);
    const report = join(this.scratchDir, 'rss.time');
    try {
      return await exec([GNU_TIME, '-f', '%M', '-o', report, ...argv], options);
    } finally {
      this.record(argv[0]!, report);
    }
  }

  /** On failure GNU time writes "Command exited with non-zero status N" first; %M is the last line. */
  private record(command: string, report: string): void {
    let last: string | undefined;
    try {
      last = readFileSync(report, 'utf8').trim().split('\n').pop();
    } catch {
      return; // GNU time did not run; the command's own error is the one to report.
    }
    debug('%s: max RSS %s KiB', command, last);
    const kib = Number(last);
    if (Number.isFinite(kib)) this.peak = Math.max(this.peak, kib);
  }

  /** Runs `probe` with measuring on; resolves to the peak RSS in KiB of every command it ran. */
  async measure(probe: () => Promise<void>): Promise<number | undefined> {
    this.measuring = true;
    this.peak = 0;
    try {
      await probe();
      return this.peak || undefined;
    } finally {
      this.measuring = false;
    }
  }
}

/** Proportional and resident memory of a live process (KiB, /proc/PID/smaps_rollup): shared pages count 1/n in PSS. */
export function readRollup(pid: number): { pssKiB: number; rssKiB: number } | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(rollup)?.[1] ?? Number.NaN);
    const reading = { pssKiB: field('Pss'), rssKiB: field('Rss') };
    return Number.isNaN(reading.pssKiB) ? undefined : reading;
  } catch {
    return undefined;
  }
}
