import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { opt, type Row } from './rows.js';

/**
 * Key of the installation's id. Kept by `system reset`: the IPv6 ULA prefix
 * of auto-picked subnets is derived from it and stays the same for the life
 * of the state dir, as Docker's stays for the life of its engine id.
 */
const INSTALLATION_ID = 'installation-id';

/** Installation-wide settings the runtime remembers (e.g. which port backend holds the rules). */
export class Settings {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      get: db.prepare('SELECT value FROM meta WHERE key = ?'),
      set: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      delete: db.prepare('DELETE FROM meta WHERE key = ?'),
      withPrefix: db.prepare("SELECT key, value FROM meta WHERE substr(key, 1, length(?)) = ? ORDER BY key"),
      setIfAbsent: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING'),
      clear: db.prepare('DELETE FROM meta WHERE key != ?'),
    };
  }

  get(key: string): string | undefined {
    return opt<string>((this.q.get.get(key) as Row | undefined)?.value);
  }

  set(key: string, value: string): void {
    this.q.set.run(key, value);
  }

  delete(key: string): void {
    this.q.delete.run(key);
  }

  /** Every setting whose key starts with `prefix`, by key. */
  withPrefix(prefix: string): [string, string][] {
    return (this.q.withPrefix.all(prefix, prefix) as Row[]).map((r) => [r.key as string, r.value as string]);
  }

  /** This installation's id: 64 random hex characters, made on first use; two processes racing agree on one. */
  installationId(): string {
    this.q.setIfAbsent.run(INSTALLATION_ID, randomBytes(32).toString('hex'));
    return this.get(INSTALLATION_ID)!;
  }

  /** Forget every setting but the installation id. */
  clear(): void {
    this.q.clear.run(INSTALLATION_ID);
  }
}
