/**
 * A long-lived child process spoken to over pipes: a request is written to
 * its stdin and is complete when a terminator (the error a sentinel command
 * provokes on purpose) shows up on its stderr. The protocol, what to write
 * and which terminator to wait for, belongs to the caller (`ip-channel.ts`,
 * `nft-channel.ts`); this module owns the process: starting it lazily,
 * serialising requests, noticing its death, replacing it, stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import { kernelEnv, signalNumber } from './spawn-once.js';

const debug = createDebug('ctrnet:core:coprocess');

/** How long {@link Coprocess.close} lets a process finish its input before it is killed. */
const CLOSE_GRACE_MS = 2_000;

/** A running coprocess as the protocol sees it: its pipes, and how it ends. */
export interface CoprocessPipes {
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stderr: Readable;
  /** Resolves with the exit status (128+N when killed by signal N, 127 when it could not be started) once it has ended. */
  readonly ended: Promise<number>;
  /** Kills it (SIGKILL), when it has not ended. */
  kill(): void;
  /** Why it could not be started, once that is known (a spawned child's `error` event). */
  spawnError?(): Error | undefined;
}

export interface CoprocessSpec {
  /** Full argv, e.g. `['nsenter', '--net=/run/netns/h', '--', 'ip', '-force', '-batch', '-']`: in messages, and what is spawned unless `start` is given. */
  argv: readonly string[];
  /** Starts the process some other way than spawning `argv` (a process another one started and handed the pipes of). */
  start?: () => CoprocessPipes;
  /** Extra environment on top of the kernel environment (LC_ALL=C). */
  env?: Record<string, string>;
  /**
   * Exchanges after which the process is replaced by a fresh one (between
   * two exchanges): both `ip -batch` and `nft -i` grow with every command
   * they run (memory, and for nft's line editor, time per command).
   */
  recycleAfter: number;
  /**
   * Never replace the process: it is the one that made (and holds) a
   * namespace, and a second one would make another. Once it has ended,
   * every exchange fails with {@link CoprocessDied}.
   */
  once?: boolean;
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

/**
 * The pipes of a spawned child; a child that cannot be spawned ends with 127
 * and its error as stderr. It has ended at `close` (its pipes are drained),
 * or at `exit` for a child that hands pipes on to a process that outlives it.
 */
export function childPipes(child: ChildProcess, endOn: 'close' | 'exit' = 'close'): CoprocessPipes {
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  child.stdout?.on('data', (chunk: Buffer) => debug('%d stdout: %s', child.pid, chunk.toString().trimEnd()));
  const ended = new Promise<number>((resolve) =>
    child.on(endOn, (code: number | null, signal: NodeJS.Signals | null) => resolve(spawnError ? 127 : (code ?? 128 + signalNumber(signal ?? 'SIGKILL')))),
  );
  return {
    pid: child.pid,
    stdin: child.stdin!,
    stderr: child.stderr!,
    ended,
    kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
    spawnError: () => spawnError,
  };
}

/** One running process and the exchange it is serving. */
class Running {
  stderr = '';
  pending: Pending | undefined;
  exchanges = 0;
  done = false;
  readonly ended: Promise<void>;

  constructor(readonly pipes: CoprocessPipes) {
    pipes.stderr.setEncoding('utf8').on('data', (chunk: string) => this.onStderr(chunk));
    // Writing to a process that just died fails with EPIPE; the end of the process reports the death.
    pipes.stdin.on('error', (err) => debug('%d stdin: %s', pipes.pid, err.message));
    this.ended = pipes.ended.then((exitCode) => this.onClose(exitCode));
  }

  /** A spawn that failed has not ended yet when its error arrives; it will not serve anyway. */
  spawnErrorSeen(): boolean {
    return this.pipes.spawnError?.() !== undefined;
  }

  private onStderr(chunk: string): void {
    this.stderr += chunk;
    const pending = this.pending;
    if (!pending) return;
    const match = pending.end.exec(this.stderr);
    if (!match) return;
    const reply = this.stderr.slice(0, match.index);
    const rest = this.stderr.slice(match.index + match[0].length);
    if (rest) debug('%d: stray stderr after the terminator: %s', this.pipes.pid, rest);
    this.stderr = '';
    this.pending = undefined;
    pending.resolve(reply);
  }

  private onClose(exitCode: number): void {
    this.done = true;
    debug('%d ended: status %d', this.pipes.pid, exitCode);
    const pending = this.pending;
    this.pending = undefined;
    const spawnError = this.pipes.spawnError?.();
    pending?.reject(new CoprocessDied(this.pipes.pid, exitCode, this.stderr || spawnError?.message || '', spawnError));
  }

  exchange(input: string, end: RegExp): Promise<string> {
    this.exchanges++;
    // Output between two exchanges answers neither; never let it pass for the next reply.
    if (this.stderr) debug('%d: stray stderr between exchanges: %s', this.pipes.pid, this.stderr);
    this.stderr = '';
    return new Promise((resolve, reject) => {
      this.pending = { end, resolve, reject };
      this.pipes.stdin.write(input);
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
  private started = false;

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
    return this.running?.pipes.pid;
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
    if (this.running && !this.running.done && !this.running.spawnErrorSeen()) return this.running;
    if (this.spec.once && this.started) throw new CoprocessDied(undefined, 1, `the process of ${this.spec.argv.join(' ')} has ended and is not replaced\n`);
    this.started = true;
    const running = this.spawn();
    debug('started %d: %o', running.pipes.pid, this.spec.argv);
    void running.ended.then(() => {
      if (this.running === running) this.running = undefined;
      this.retiring.delete(running);
    });
    this.running = running;
    return running;
  }

  private spawn(): Running {
    if (this.spec.start) return new Running(this.spec.start());
    const [file, ...args] = this.spec.argv;
    return new Running(childPipes(spawn(file!, args, { env: kernelEnv(this.spec.env), stdio: ['pipe', 'pipe', 'pipe'] })));
  }

  /** Lets the process finish what it has read and exit by itself (stdin EOF). */
  private retire(running: Running): void {
    if (this.running === running) this.running = undefined;
    if (running.done) return;
    debug('retiring %d after %d exchanges', running.pipes.pid, running.exchanges);
    this.retiring.add(running);
    running.pipes.stdin.end();
  }
}

async function stop(running: Running): Promise<void> {
  const timer = setTimeout(() => running.pipes.kill(), CLOSE_GRACE_MS);
  await running.ended;
  clearTimeout(timer);
}
