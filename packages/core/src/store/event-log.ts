import type Database from 'better-sqlite3';
import { json, opt, parsed, type Row } from './rows.js';

/** A lifecycle event as the journal keeps it. */
export interface JournalEvent {
  seq: number;
  time: string;
  type: string;
  actorId?: string;
  actorName?: string;
  payload: unknown;
}

/** The event journal `ctrnet events` reads: every lifecycle event, in order. */
export class EventLog {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      append: db.prepare('INSERT INTO events (time, type, actor_id, actor_name, payload) VALUES (?, ?, ?, ?, ?)'),
      after: db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      last: db.prepare('SELECT * FROM events WHERE type = ? AND actor_id = ? ORDER BY seq DESC LIMIT 1'),
    };
  }

  append(type: string, actor: { id?: string; name?: string }, payload: unknown): void {
    this.q.append.run(new Date().toISOString(), type, actor.id ?? null, actor.name ?? null, json(payload));
  }

  /** Events after `afterSeq` (exclusive), oldest first. */
  after(afterSeq = 0, limit = 1000): JournalEvent[] {
    return (this.q.after.all(afterSeq, limit) as Row[]).map(fromRow);
  }

  /** The newest event of `type` about actor `actorId`, if any. */
  last(type: string, actorId: string): JournalEvent | undefined {
    const row = this.q.last.get(type, actorId) as Row | undefined;
    return row && fromRow(row);
  }
}

function fromRow(r: Row): JournalEvent {
  return {
    seq: r.seq as number,
    time: r.time as string,
    type: r.type as string,
    actorId: opt<string>(r.actor_id),
    actorName: opt<string>(r.actor_name),
    payload: parsed<unknown>(r.payload),
  };
}
