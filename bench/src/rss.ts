import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
