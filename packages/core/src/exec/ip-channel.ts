/**
 * `ip` batches through one resident `ip -force -batch -` coprocess.
 *
 * Protocol: every line is followed by a marker line, an object ip does not
 * know (`ctrnet-mark-SEQ`), which fails on purpose without touching the
 * kernel and makes ip print `Object "ctrnet-mark-SEQ" is unknown ...`
 * and `Command failed -:N` on stderr. Whatever ip wrote between two markers
 * belongs to the line between them; the last marker ends the request.
 *
 * `-force` keeps ip alive after a failing line, so ip itself never stops a
 * batch. A normal batch is therefore sent one line per round trip and
 * stopped at the first failure; a teardown batch (`ignoreMissing`) must run
 * every line anyway and is sent in one write. The round trips cost little:
 * a 3-line batch takes 0.44 ms line by line, 0.39 ms in one write, against
 * 4.8 ms for a spawned `ip -batch -` (`bench/exec-transport.ts`).
 *
 * The caller must never send lines that name a network namespace
 * (`namesNamespace`): ip would keep that namespace open for its lifetime.
 */
import createDebug from 'debug';
import type { IpCommand } from './executor.js';
import { ExecError } from './exec-error.js';
import { Coprocess, CoprocessDied, type CoprocessPipes, type Exchange } from './coprocess.js';
import { batchError, batchLine, batchText, type LineFailure } from './ip-batch.js';

const debug = createDebug('ctrnet:core:ip-channel');

/**
 * iproute2 6.1 keeps ~5 KB per command that names a device for as long as
 * the process lives (measured: RSS +15 MB per 1,000 three-line batches), so
 * the coprocess is replaced after this many round trips; a restart costs
 * about one spawn (~4 ms).
 */
const RECYCLE_AFTER = 1_000;

/** Where a coprocess `ip` runs, and how to call it (tests substitute a fake). */
export interface IpChannelSpec {
  /** What enters the namespace the channel serves (`nsenter --net=PATH --`), or nothing for the current one. */
  prefix: readonly string[];
  /** The ip program; `['ip']` unless a test fakes it. */
  program?: readonly string[];
  /** An `ip -force -batch -` another process started (a namespace session's): its pipes. Such a channel is not restarted. */
  started?: () => CoprocessPipes;
}

export class IpChannel {
  private readonly coprocess: Coprocess;
  private readonly prefix: readonly string[];
  private seq = 0;

  constructor(spec: IpChannelSpec) {
    this.prefix = spec.prefix;
    const argv = [...spec.prefix, ...(spec.program ?? ['ip']), '-force', '-batch', '-'];
    this.coprocess = spec.started
      ? new Coprocess({ argv, start: spec.started, recycleAfter: Infinity, once: true })
      : new Coprocess({ argv, recycleAfter: RECYCLE_AFTER });
  }

  /** PID of the running coprocess, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.coprocess.pid;
  }

  /**
   * Runs the batch. Without `ignoreMissing` the first failing line rejects
   * and no later line runs; with it every line runs and "no such object"
   * failures count as success. Rejects with an ExecError naming the line.
   */
  async run(commands: readonly IpCommand[], ignoreMissing: boolean): Promise<void> {
    const lines = commands.map(batchLine);
    const input = batchText(commands);
    return this.coprocess.serial(async (exchange) => {
      const failures = ignoreMissing
        ? await this.send(exchange, commands, lines, 0, input)
        : await this.oneByOne(exchange, commands, lines, input);
      const err = batchError(this.prefix, commands, failures, { ignoreMissing, input });
      if (err) throw err;
      if (failures.length > 0) debug('ignored missing objects: %o', failures);
    });
  }

  /** Ends the coprocess. */
  close(): Promise<void> {
    return this.coprocess.close();
  }

  private async oneByOne(exchange: Exchange, commands: readonly IpCommand[], lines: readonly string[], input: string): Promise<LineFailure[]> {
    for (let i = 0; i < lines.length; i++) {
      const failures = await this.send(exchange, commands, lines.slice(i, i + 1), i, input);
      if (failures.length > 0) return failures;
    }
    return [];
  }

  /** Sends `lines` (lines `first+1`... of the batch) with their markers; the failures among them. */
  private async send(exchange: Exchange, commands: readonly IpCommand[], lines: readonly string[], first: number, input: string): Promise<LineFailure[]> {
    const marks = lines.map(() => `ctrnet-mark-${++this.seq}`);
    const text = lines.map((line, i) => `${line}\n${marks[i]}\n`).join('');
    let stderr: string;
    try {
      stderr = await exchange(text, markerPattern(marks.at(-1)!));
    } catch (err) {
      if (!(err instanceof CoprocessDied)) throw err;
      throw this.death(err, commands, marks, first, input);
    }
    const failures: LineFailure[] = [];
    splitAtMarkers(stderr, marks.slice(0, -1)).forEach((segment, i) => {
      if (/^Command failed -:\d+$/m.test(segment)) failures.push({ line: first + i + 1, stderr: renumber(segment, first + i + 1) });
      else if (segment) debug('line %d: %s', first + i + 1, segment.trim());
    });
    return failures;
  }

  /** The coprocess ended mid-request: name the line in flight, and say what may have been applied. */
  private death(died: CoprocessDied, commands: readonly IpCommand[], marks: readonly string[], first: number, input: string): ExecError {
    // The last segment is the line in flight: its marker never came.
    const segments = splitAtMarkers(died.stderr, marks);
    const line = first + segments.length;
    const ownStderr = renumber(segments.at(-1)!, line);
    const argv = [...this.prefix, 'ip', ...(commands[line - 1] ?? [])];
    const applied = line > 1 ? `lines 1-${line - 1} were applied, ` : '';
    const stderr = ownStderr.trim()
      ? ownStderr
      : `the ip coprocess (pid ${died.pid ?? 'none'}) ended with status ${died.exitCode} during this line; ${applied}this one may have been\n`;
    return new ExecError(argv, died.exitCode, stderr, { input, line, cause: died, ...(ownStderr.trim() ? {} : { kind: 'other' as const }) });
  }
}

function markerPattern(mark: string): RegExp {
  return new RegExp(`^Object "${mark}" is unknown[^\\n]*\\nCommand failed -:\\d+\\n`, 'm');
}

/** The stderr of each line: cut at each marker found, and what follows the last one. */
function splitAtMarkers(stderr: string, marks: readonly string[]): string[] {
  const segments: string[] = [];
  let rest = stderr;
  for (const mark of marks) {
    const match = markerPattern(mark).exec(rest);
    if (!match) break;
    segments.push(rest.slice(0, match.index));
    rest = rest.slice(match.index + match[0].length);
  }
  segments.push(rest);
  return segments;
}

/** ip numbers lines over its whole life; callers expect `ip -batch`'s numbering of their batch. */
function renumber(segment: string, line: number): string {
  return segment.replace(/^Command failed -:\d+$/m, `Command failed -:${line}`);
}
