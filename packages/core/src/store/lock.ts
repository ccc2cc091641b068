import Database from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { CtrnetError } from '../errors.js';

/** How long an operation waits for another ctrnet process to finish its kernel work. */
const LOCK_TIMEOUT_MS = 120_000;

/**
 * The per-state-dir operation lock: serialises kernel changes of concurrent
 * ctrnet processes. It is an exclusive SQLite transaction on a file of its
 * own, so the kernel (POSIX record locks) releases it when the holder dies,
 * even by SIGKILL; no stale lock files, no timers.
 */
export class OperationLock {
  private readonly db: Database.Database;
  private depth = 0;

  constructor(stateDir: string) {
    const path = join(stateDir, 'lock.db');
    this.db = new Database(path);
    chmodSync(path, 0o600);
    this.db.pragma(`busy_timeout = ${LOCK_TIMEOUT_MS}`);
  }

  /** Run `work` holding the lock; re-entrant within one process. */
  async withLock<T>(work: () => Promise<T>): Promise<T> {
    if (this.depth === 0) {
      try {
        this.db.exec('BEGIN EXCLUSIVE');
      } catch (err) {
        throw new CtrnetError('STATE_ERROR', `another ctrnet process held the state lock for over ${LOCK_TIMEOUT_MS / 1000} s; check for a hung ctrnet process`, { cause: err });
      }
    }
    this.depth++;
    try {
      return await work();
    } finally {
      this.depth--;
      if (this.depth === 0) this.db.exec('COMMIT');
    }
  }

  close(): void {
    this.db.close();
  }
}
