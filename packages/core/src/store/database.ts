import Database from 'better-sqlite3';
import createDebug from 'debug';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CtrnetError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

const debug = createDebug('ctrnet:core:store');

/** How long a writer waits for another ctrnet process before giving up. */
const BUSY_TIMEOUT_MS = 60_000;

/** Open (creating if needed) the state database of a state dir, migrated to the current schema. */
export function openDatabase(stateDir: string): Database.Database {
  ensurePrivateDir(stateDir);
  const path = join(stateDir, 'state.db');
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new CtrnetError('STATE_ERROR', `cannot open state database ${path}: ${(err as Error).message}; check the state dir's permissions`, { cause: err });
  }
  chmodSync(path, 0o600);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  // Checkpoints keep the WAL short (every ~4 MB, SQLite's default); this also cuts the file back to that
  // size after one, so a burst of operations does not leave every later read searching a large WAL.
  db.pragma('journal_size_limit = 4194304');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, path);
  return db;
}

/**
 * Create the state dir with mode 0700: it holds container specs and
 * environment variables. An existing directory must be empty or ctrnet's
 * own: the chmod would otherwise lock every other user out of a shared one
 * (`--state-dir /tmp`, a home directory).
 */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CtrnetError('INVALID_ARGUMENT', `state dir ${dir} is not a directory; give ctrnet a directory of its own (--state-dir or $CTRNET_STATE_DIR)`);
    const entries = readdirSync(dir);
    if (entries.length && !entries.includes('state.db')) {
      throw new CtrnetError('INVALID_ARGUMENT', `state dir ${dir} is not empty and holds no ctrnet state; give ctrnet a directory of its own (--state-dir or $CTRNET_STATE_DIR)`);
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function migrate(db: Database.Database, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new CtrnetError(
      'STATE_ERROR',
      `state database ${path} has schema version ${current}, newer than this ctrnet (${MIGRATIONS.length}); upgrade ctrnet`,
    );
  }
  if (current === MIGRATIONS.length) return;
  // IMMEDIATE: two processes opening a fresh state dir must not both migrate.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      debug('migrating %s to schema %d', path, v + 1);
      db.exec(MIGRATIONS[v]!);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
