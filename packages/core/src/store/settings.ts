import type Database from 'better-sqlite3';
import { opt, type Row } from './rows.js';

/** Installation-wide settings the runtime remembers (e.g. which port backend holds the rules). */
export class Settings {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      get: db.prepare('SELECT value FROM meta WHERE key = ?'),
      set: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      delete: db.prepare('DELETE FROM meta WHERE key = ?'),
      withPrefix: db.prepare("SELECT key, value FROM meta WHERE substr(key, 1, length(?)) = ? ORDER BY key"),
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

  clear(): void {
    this.db.exec('DELETE FROM meta');
  }
}
