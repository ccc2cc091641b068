import type Database from 'better-sqlite3';
import type { ContainerStatus, Sandbox } from '../types.js';
import { isIdPrefix, json, opt, parsed, type Row } from './rows.js';

/** A container row: identity, status, process and the spec it was run with. */
export interface ContainerRecord<Spec = unknown> {
  id: string;
  name: string;
  status: ContainerStatus;
  networkMode: string;
  spec: Spec;
  sandboxKey?: string;
  sandboxKind?: Sandbox['kind'];
  pid?: number;
  /** Process start time (field 22 of /proc/PID/stat), to tell a reused PID from ours. */
  pidStart?: string;
  /** Incremented on every start, so a late exit report of an old run is ignored. */
  runId: number;
  exitCode?: number;
  created: string;
  started?: string;
  finished?: string;
}

const COLUMNS = `id, name, status, network_mode, spec, sandbox_key, sandbox_kind, pid, pid_start, run_id, exit_code, created, started, finished`;
const VALUES = `@id, @name, @status, @networkMode, @spec, @sandboxKey, @sandboxKind, @pid, @pidStart, @runId, @exitCode, @created, @started, @finished`;

/** The containers table. */
export class ContainerRepository {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      insert: db.prepare(`INSERT INTO containers (${COLUMNS}) VALUES (${VALUES})`),
      update: db.prepare(
        `UPDATE containers SET name=@name, status=@status, network_mode=@networkMode, spec=@spec, sandbox_key=@sandboxKey,
         sandbox_kind=@sandboxKind, pid=@pid, pid_start=@pidStart, run_id=@runId, exit_code=@exitCode, started=@started, finished=@finished
         WHERE id=@id`,
      ),
      delete: db.prepare('DELETE FROM containers WHERE id = ?'),
      all: db.prepare('SELECT * FROM containers ORDER BY created, name'),
      nameTaken: db.prepare('SELECT 1 FROM containers WHERE name = ?'),
      exact: db.prepare('SELECT * FROM containers WHERE name = ? OR id = ?'),
      byPrefix: db.prepare("SELECT * FROM containers WHERE id LIKE ? || '%' LIMIT 2"),
      withMode: db.prepare("SELECT * FROM containers WHERE status = 'running' AND network_mode = ?"),
    };
  }

  insert(c: ContainerRecord): void {
    this.q.insert.run(toParams(c));
  }

  update(c: ContainerRecord): void {
    this.q.update.run(toParams(c));
  }

  delete(id: string): void {
    this.q.delete.run(id);
  }

  all<Spec = unknown>(): ContainerRecord<Spec>[] {
    return (this.q.all.all() as Row[]).map((r) => fromRow<Spec>(r));
  }

  /** Whether a container has exactly this name (not an id prefix): for uniqueness checks. */
  nameTaken(name: string): boolean {
    return this.q.nameTaken.get(name) !== undefined;
  }

  /** Find by exact name, full id, or unique id prefix (Docker's lookup rules). */
  find<Spec = unknown>(nameOrId: string): ContainerRecord<Spec> | undefined {
    const exact = this.q.exact.get(nameOrId, nameOrId) as Row | undefined;
    if (exact) return fromRow<Spec>(exact);
    if (!isIdPrefix(nameOrId)) return undefined;
    const rows = this.q.byPrefix.all(nameOrId) as Row[];
    return rows.length === 1 ? fromRow<Spec>(rows[0]!) : undefined;
  }

  /** Running containers whose network mode is `container:` one of `targets` (they share its namespace). */
  sharingNetns(targets: readonly string[]): ContainerRecord[] {
    return targets.flatMap((t) => (this.q.withMode.all(`container:${t}`) as Row[]).map((r) => fromRow(r)));
  }
}

function toParams(c: ContainerRecord) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    networkMode: c.networkMode,
    spec: json(c.spec),
    sandboxKey: c.sandboxKey ?? null,
    sandboxKind: c.sandboxKind ?? null,
    pid: c.pid ?? null,
    pidStart: c.pidStart ?? null,
    runId: c.runId,
    exitCode: c.exitCode ?? null,
    created: c.created,
    started: c.started ?? null,
    finished: c.finished ?? null,
  };
}

function fromRow<Spec>(r: Row): ContainerRecord<Spec> {
  return {
    id: r.id as string,
    name: r.name as string,
    status: r.status as ContainerStatus,
    networkMode: r.network_mode as string,
    spec: parsed<Spec>(r.spec),
    sandboxKey: opt<string>(r.sandbox_key),
    sandboxKind: opt<Sandbox['kind']>(r.sandbox_kind),
    pid: opt<number>(r.pid),
    pidStart: opt<string>(r.pid_start),
    runId: r.run_id as number,
    exitCode: opt<number>(r.exit_code),
    created: r.created as string,
    started: opt<string>(r.started),
    finished: opt<string>(r.finished),
  };
}
