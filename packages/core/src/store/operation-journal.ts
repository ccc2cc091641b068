import type Database from 'better-sqlite3';
import type { SagaJournal, UndoAction } from '../saga.js';
import { json, parsed, type Row } from './rows.js';

/** A journalled operation that did not finish (its process died, or its rollback failed). */
export interface OpenOperation {
  id: number;
  name: string;
  pid: number;
  started: string;
  undo: UndoAction[];
}

/** The saga journal: undo records of operations in flight, which survive a crash until closed. */
export class OperationJournal {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      begin: db.prepare('INSERT INTO operations (name, pid, started) VALUES (?, ?, ?)'),
      record: db.prepare('INSERT INTO operation_undo (operation_id, seq, kind, data) VALUES (?, ?, ?, ?)'),
      close: db.prepare('DELETE FROM operations WHERE id = ?'),
      open: db.prepare('SELECT * FROM operations ORDER BY id'),
      undo: db.prepare('SELECT kind, data FROM operation_undo WHERE operation_id = ? ORDER BY seq DESC'),
    };
  }

  /** Start a journalled operation; its undo records survive a crash until closed. */
  begin(name: string): SagaJournal {
    const id = Number(this.q.begin.run(name, process.pid, new Date().toISOString()).lastInsertRowid);
    let seq = 0;
    return {
      record: (undo) => {
        this.q.record.run(id, seq++, undo.kind, json(undo.data));
      },
      close: () => {
        this.q.close.run(id);
      },
    };
  }

  /** Operations that never closed, oldest first, with their undo records newest first. */
  open(): OpenOperation[] {
    return (this.q.open.all() as Row[]).map((o) => ({
      id: o.id as number,
      name: o.name as string,
      pid: o.pid as number,
      started: o.started as string,
      undo: (this.q.undo.all(o.id) as Row[]).map((u) => ({ kind: u.kind as string, data: parsed<Record<string, unknown>>(u.data) })),
    }));
  }

  close(id: number): void {
    this.q.close.run(id);
  }
}
