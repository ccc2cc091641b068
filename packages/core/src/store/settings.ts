import type Database from 'better-sqlite3';
import { opt, type Row } from './rows.js';

/** Installation-wide settings the runtime remembers (e.g. which port backend holds the rules). */
export class Settings {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      get: db.prepare('SELECT value FROM meta WHERE key = ?'),
      set: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  get(key: string): string | undefined {
    return opt<string>((this.q.get.get(key) as Row | undefined)?.value);
  }

  set(key: string, value: string): void {
    this.q.set.run(key, value);
  }

  clear(): void {
    this.db.exec('DELETE FROM meta');
  }
}
