import { CtrnetError } from '@ctrnet/core';
import type { SpawnedProcess } from '../process.js';

/** Options for {@link waitUntil}. */
export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the error message ("dockerd (pid 12) answering on /x.sock"). */
  what: string;
  /** A daemon being waited for: give up early when it exits, and quote its output. */
  process?: SpawnedProcess;
  intervalMs?: number;
}

/**
 * Polls `check` until it is true. Rejects when time runs out or the watched
 * process exits first, with the process's output so the cause is visible.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    const output = (): string => (opts.process ? `; its output:\n${opts.process.output().trim().split('\n').slice(-30).join('\n')}` : '');
    if (opts.process?.exited()) throw new CtrnetError('EXEC_FAILED', `gave up waiting for ${opts.what}: the process exited${output()}`);
    if (Date.now() > deadline) throw new CtrnetError('EXEC_FAILED', `gave up waiting for ${opts.what} after ${opts.timeoutMs} ms${output()}`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 50));
  }
}
