/**
 * A long-lived child process spoken to over pipes: a request is written to
 * its stdin and is complete when a terminator (the error a sentinel command
 * provokes on purpose) shows up on its stderr. The protocol, what to write
 * and which terminator to wait for, belongs to the caller (`ip-channel.ts`,
 * `nft-channel.ts`); this module owns the process: starting it lazily,
 * serialising requests, noticing its death, replacing it, stopping it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import { kernelEnv, signalNumber } from './spawn-once.js';

const debug = createDebug('ctrnet:core:coprocess');

/** How long {@link Coprocess.close} lets a process finish its input before it is killed. */
const CLOSE_GRACE_MS = 2_000;

export interface CoprocessSpec {
  /** Full argv, e.g. `['nsenter', '--net=/run/netns/h', '--', 'ip', '-force', '-batch', '-']`. */
  argv: readonly string[];
  /** Extra environment on top of the kernel environment (LC_ALL=C). */
  env?: Record<string, string>;
  /**
   * Exchanges after which the process is replaced by a fresh one (between
   * two exchanges): both `ip -batch` and `nft -i` grow with every command
   * they run (memory, and for nft's line editor, time per command).
   */
  recycleAfter: number;
}

/** The process died (or never started) before the terminator of an exchange arrived. */
export class CoprocessDied extends Error {
  constructor(
    readonly pid: number | undefined,
    /** The exit status, 128+N when killed by signal N, 127 when it could not be started. */
    readonly exitCode: number,
    /** Everything the process wrote to stderr during the exchange. */
    readonly stderr: string,
    readonly spawnError?: Error,
  ) {
    super(`coprocess ${pid ?? '(not started)'} ended with status ${exitCode}`);
  }
}

/** Sends `input` and resolves with the stderr written before the match of `end` (a non-global pattern). */
export type Exchange = (input: string, end: RegExp) => Promise<string>;

interface Pending {
  end: RegExp;
  resolve(stderr: string): void;
  reject(err: CoprocessDied): void;
}

/** One running process and the exchange it is serving. */
class Running {
  stderr = '';
  pending: Pending | undefined;
  spawnError: Error | undefined;
  exchanges = 0;
  readonly ended: Promise<void>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => debug('%d stdout: %s', child.pid, chunk.toString().trimEnd()));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.onStderr(chunk));
    // Writing to a process that just died fails with EPIPE; 'close' reports the death.
    child.stdin.on('error', (err) => debug('%d stdin: %s', child.pid, err.message));
    child.on('error', (err) => (this.spawnError = err));
    this.ended = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.onClose(code, signal);
        resolve();
      }),
    );
  }

  private onStderr(chunk: string): void {
    this.stderr += chunk;
    const pending = this.pending;
    if (!pending) return;
    const match = pending.end.exec(this.stderr);
    if (!match) return;
    const reply = this.stderr.slice(0, match.index);
    const rest = this.stderr.slice(match.index + match[0].length);
    if (rest) debug('%d: stray stderr after the terminator: %s', this.child.pid, rest);
    this.stderr = '';
    this.pending = undefined;
    pending.resolve(reply);
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    const exitCode = this.spawnError ? 127 : (code ?? 128 + signalNumber(signal ?? 'SIGKILL'));
    debug('%d ended: status %d%s', this.child.pid, exitCode, signal ? ` (${signal})` : '');
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new CoprocessDied(this.child.pid, exitCode, this.stderr || this.spawnError?.message || '', this.spawnError));
  }

  exchange(input: string, end: RegExp): Promise<string> {
    this.exchanges++;
    // Output between two exchanges answers neither; never let it pass for the next reply.
    if (this.stderr) debug('%d: stray stderr between exchanges: %s', this.child.pid, this.stderr);
    this.stderr = '';
    return new Promise((resolve, reject) => {
      this.pending = { end, resolve, reject };
      this.child.stdin.write(input);
    });
  }
}

/** A coprocess, started on first use and replaced when it dies or has served `recycleAfter` exchanges. */
export class Coprocess {
  private running: Running | undefined;
  /** Processes that were told to finish (stdin ended) and have not exited yet. */
  private readonly retiring = new Set<Running>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly spec: CoprocessSpec) {}

  /**
   * Runs `talk` with exclusive use of the process: exchanges of other
   * callers wait until it settles, so one caller's batch is never
   * interleaved with another's. A death during `talk` rejects its pending
   * exchange with {@link CoprocessDied}; the next exchange starts a new process.
   */
  serial<T>(talk: (exchange: Exchange) => Promise<T>): Promise<T> {
    const turn = this.queue.then(() => {
      if (this.closed) throw new CtrnetError('INVALID_STATE', `coprocess ${this.spec.argv.join(' ')} is closed; open a new executor`);
      return talk((input, end) => this.exchange(input, end));
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** PID of the live process, if one is running (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.running?.child.pid;
  }

  /**
   * Lets the request in progress finish, refuses the ones still queued,
   * then ends every process this coprocess started: stdin first, SIGKILL
   * after a grace period.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    if (this.running) this.retire(this.running);
    await Promise.all([...this.retiring].map((r) => stop(r)));
  }

  private exchange(input: string, end: RegExp): Promise<string> {
    const running = this.live();
    return running.exchange(input, end).finally(() => {
      if (running.exchanges >= this.spec.recycleAfter && this.running === running) this.retire(running);
    });
  }

  private live(): Running {
    if (this.running && this.running.child.exitCode === null && this.running.child.signalCode === null && !this.running.spawnError) {
      return this.running;
    }
    const [file, ...args] = this.spec.argv;
    const child = spawn(file!, args, { env: kernelEnv(this.spec.env), stdio: ['pipe', 'pipe', 'pipe'] });
    debug('started %d: %o', child.pid, this.spec.argv);
    const running = new Running(child);
    void running.ended.then(() => {
      if (this.running === running) this.running = undefined;
      this.retiring.delete(running);
    });
    this.running = running;
    return running;
  }

  /** Lets the process finish what it has read and exit by itself (stdin EOF). */
  private retire(running: Running): void {
    if (this.running === running) this.running = undefined;
    if (running.child.exitCode !== null || running.child.signalCode !== null) return;
    debug('retiring %d after %d exchanges', running.child.pid, running.exchanges);
    this.retiring.add(running);
    running.child.stdin.end();
  }
}

async function stop(running: Running): Promise<void> {
  const timer = setTimeout(() => running.child.kill('SIGKILL'), CLOSE_GRACE_MS);
  await running.ended;
  clearTimeout(timer);
}
