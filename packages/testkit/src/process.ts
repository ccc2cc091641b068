import createDebug from 'debug';
import { execa } from 'execa';
import { CtrnetError } from '@ctrnet/core';
import { describeNetns, inNetnsOrHere, type NetnsRef } from './netns.js';

const debug = createDebug('ctrnet:testkit:process');

/** How long a process gets to exit after SIGTERM before it is sent SIGKILL. */
const TERM_GRACE_MS = 2000;

/** Options for {@link spawnProcess}. */
export interface SpawnOptions {
  /** Extra environment variables, merged over the test process's environment. */
  env?: Record<string, string>;
}

/** A long-running process started by the testkit. */
export interface SpawnedProcess {
  /** PID of the program itself: nsenter execs it, so no wrapper process sits in between. */
  pid: number;
  /** SIGTERM, then SIGKILL after `graceMs` (default 2000); resolves once the process is gone. Safe to repeat. */
  stop(graceMs?: number): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far, interleaved as received. */
  output(): string;
  /** Resolves when `pattern` appears in {@link output}; rejects if the process exits first or time runs out. */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** True once the process has exited. */
  exited(): boolean;
}

/**
 * Starts argv in `ns` (the current namespace when undefined) and keeps it
 * running. Output is collected in memory for {@link SpawnedProcess.output}.
 */
export function spawnProcess(ns: NetnsRef | undefined, argv: readonly string[], opts: SpawnOptions = {}): SpawnedProcess {
  const full = inNetnsOrHere(ns, argv);
  const child = execa(full[0]!, full.slice(1), {
    env: opts.env,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    // stop() runs its own SIGTERM-then-SIGKILL sequence.
    forceKillAfterDelay: false,
  });
  if (child.pid === undefined) {
    throw new CtrnetError('EXEC_FAILED', `could not start ${full.join(' ')}; check that ${full[0]} is installed and on PATH`);
  }
  const pid = child.pid;
  debug('started pid %d in %s: %o', pid, describeNetns(ns), argv);

  let output = '';
  let done = false;
  const watchers = new Set<() => void>();
  const notify = (): void => watchers.forEach((w) => w());
  const collect = (chunk: Buffer | string): void => {
    output += chunk.toString();
    notify();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const finished = child.then(
    (result) => {
      done = true;
      debug('pid %d exited: code %s signal %s', pid, result.exitCode, result.signal);
      notify();
    },
  );

  const waitForOutput = (pattern: string | RegExp, timeoutMs = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const matches = (): boolean => (typeof pattern === 'string' ? output.includes(pattern) : pattern.test(output));
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        watchers.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (matches()) finish();
        else if (done) finish(new CtrnetError('EXEC_FAILED', `${argv.join(' ')} (pid ${pid}) exited before printing ${String(pattern)}; its output:\n${output}`));
      };
      const timer = setTimeout(
        () => finish(new CtrnetError('EXEC_FAILED', `${argv.join(' ')} (pid ${pid}) did not print ${String(pattern)} within ${timeoutMs} ms; its output:\n${output}`)),
        timeoutMs,
      );
      watchers.add(check);
      check();
    });

  const stop = async (graceMs = TERM_GRACE_MS): Promise<void> => {
    if (done) return;
    // kill() goes through the child handle, which refuses once the PID is
    // reaped, so a recycled PID can never be hit.
    child.kill('SIGTERM');
    const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
    if ((await Promise.race([finished, grace])) === 'timeout' && !done) {
      debug('pid %d ignored SIGTERM; sending SIGKILL', pid);
      child.kill('SIGKILL');
    }
    await finished;
  };

  return { pid, stop, output: () => output, waitForOutput, exited: () => done };
}
