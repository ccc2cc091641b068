import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CtrnetError } from '../errors.js';

/** How long an operation waits for another ctrnet process to finish its kernel work. */
const LOCK_TIMEOUT_MS = 120_000;

/** Longest pause between two attempts to take the file lock. */
const MAX_RETRY_MS = 20;

/**
 * The per-state-dir operation lock: serialises kernel changes, both between
 * processes and between concurrent calls inside one process (a daemon
 * serving many clients).
 *
 * Between processes it is an exclusive SQLite transaction on a file of its
 * own, so the kernel (POSIX record locks) releases it when the holder dies,
 * even by SIGKILL: no stale lock files. The transaction is attempted without
 * SQLite's busy wait and retried on a timer, so a waiting daemon keeps
 * serving other requests instead of blocking its event loop.
 *
 * Within a process, callers queue; a call made inside the work of the
 * current holder (same async call chain) runs at once, so the lock is
 * re-entrant.
 */
export class OperationLock {
  private readonly db: Database.Database;
  private readonly holder = new AsyncLocalStorage<symbol>();
  /** Token of the call chain holding the lock; callbacks that outlive it carry a stale token. */
  private current: symbol | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(stateDir: string) {
    const path = join(stateDir, 'lock.db');
    this.db = new Database(path);
    chmodSync(path, 0o600);
    this.db.pragma('busy_timeout = 0');
  }

  /** Run `work` holding the lock; re-entrant within one call chain. */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    const token = this.holder.getStore();
    if (token !== undefined && token === this.current) return work();
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      await this.acquireFileLock();
      const mine = Symbol('lock holder');
      this.current = mine;
      try {
        return await this.holder.run(mine, work);
      } finally {
        this.current = undefined;
        this.db.exec('COMMIT');
      }
    } finally {
      release();
    }
  }

  close(): void {
    this.db.close();
  }

  private async acquireFileLock(): Promise<void> {
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, MAX_RETRY_MS)) {
      try {
        this.db.exec('BEGIN EXCLUSIVE');
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
        if (Date.now() > deadline) {
          throw new CtrnetError('STATE_ERROR', `another ctrnet process held the state lock for over ${LOCK_TIMEOUT_MS / 1000} s; check for a hung ctrnet process`, { cause: err });
        }
      }
      await sleep(pause);
    }
  }
}
