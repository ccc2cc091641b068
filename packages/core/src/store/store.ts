import type Database from 'better-sqlite3';
import type { AddressBook } from '../ipam.js';
import type { SagaJournal, UndoAction } from '../saga.js';
import type { ContainerStatus, Endpoint, Network, PortBinding } from '../types.js';
import { openDatabase } from './database.js';
import { OperationLock } from './lock.js';

/** A container row: identity, status, process and the spec it was run with. */
export interface ContainerRecord<Spec = unknown> {
  id: string;
  name: string;
  status: ContainerStatus;
  networkMode: string;
  spec: Spec;
  sandboxKey?: string;
  sandboxKind?: 'own' | 'host' | 'shared';
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

/** A journalled operation that did not finish (its process died). */
export interface OpenOperation {
  id: number;
  name: string;
  pid: number;
  started: string;
  undo: UndoAction[];
}

/** A lifecycle event as the journal keeps it. */
export interface JournalEvent {
  seq: number;
  time: string;
  type: string;
  actorId?: string;
  actorName?: string;
  payload: unknown;
}

type Row = Record<string, unknown>;
const json = (v: unknown) => JSON.stringify(v);
const opt = <T>(v: unknown) => (v === null || v === undefined ? undefined : (v as T));

/**
 * The state store: one SQLite database per state dir (WAL mode), and the
 * operation lock. Every method is a short transaction; multi-step work is
 * made safe by the saga journal (`operations`), not by long transactions.
 */
export class Store {
  readonly db: Database.Database;
  readonly lock: OperationLock;

  constructor(readonly stateDir: string) {
    this.db = openDatabase(stateDir);
    this.lock = new OperationLock(stateDir);
  }

  close(): void {
    this.db.close();
    this.lock.close();
  }

  /** Run `fn` in one IMMEDIATE transaction (takes the write lock up front, so read-then-write is race-free). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ---- meta -----------------------------------------------------------

  getMeta(key: string): string | undefined {
    return opt<string>((this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as Row | undefined)?.value);
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // ---- networks -------------------------------------------------------

  insertNetwork(n: Network): void {
    this.db
      .prepare(
        `INSERT INTO networks (id, name, driver, ipam_driver, subnet, ip_range, gateway, internal, ipv6, options, driver_data, created)
         VALUES (@id, @name, @driver, @ipamDriver, @subnet, @ipRange, @gateway, @internal, @ipv6, @options, @driverData, @created)`,
      )
      .run({
        ...n,
        subnet: n.pool?.subnet ?? null,
        ipRange: n.pool?.ipRange ?? null,
        gateway: n.pool?.gateway ?? null,
        internal: n.internal ? 1 : 0,
        ipv6: n.ipv6 ? 1 : 0,
        options: json(n.options),
        driverData: json(n.driverData),
      });
  }

  deleteNetwork(id: string): void {
    this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
  }

  networks(): Network[] {
    return (this.db.prepare('SELECT * FROM networks ORDER BY created, name').all() as Row[]).map(toNetwork);
  }

  /** Find by exact name, full id, or unique id prefix (Docker's lookup rules; a name wins over an id). */
  network(nameOrId: string): Network | undefined {
    const exact = this.db.prepare('SELECT * FROM networks WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1').get(nameOrId, nameOrId, nameOrId) as Row | undefined;
    if (exact) return toNetwork(exact);
    // Hex only: LIKE treats _ and % as wildcards, so "___" would match any network.
    if (!/^[0-9a-f]{3,63}$/.test(nameOrId)) return undefined;
    const rows = this.db.prepare("SELECT * FROM networks WHERE id LIKE ? || '%' LIMIT 2").all(nameOrId) as Row[];
    return rows.length === 1 ? toNetwork(rows[0]!) : undefined;
  }

  // ---- containers -----------------------------------------------------

  insertContainer(c: ContainerRecord): void {
    this.db
      .prepare(
        `INSERT INTO containers (id, name, status, network_mode, spec, sandbox_key, sandbox_kind, pid, pid_start, run_id, exit_code, created, started, finished)
         VALUES (@id, @name, @status, @networkMode, @spec, @sandboxKey, @sandboxKind, @pid, @pidStart, @runId, @exitCode, @created, @started, @finished)`,
      )
      .run(containerParams(c));
  }

  updateContainer(c: ContainerRecord): void {
    this.db
      .prepare(
        `UPDATE containers SET name=@name, status=@status, network_mode=@networkMode, spec=@spec, sandbox_key=@sandboxKey,
         sandbox_kind=@sandboxKind, pid=@pid, pid_start=@pidStart, run_id=@runId, exit_code=@exitCode, started=@started, finished=@finished
         WHERE id=@id`,
      )
      .run(containerParams(c));
  }

  deleteContainer(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }

  containers<Spec = unknown>(): ContainerRecord<Spec>[] {
    return (this.db.prepare('SELECT * FROM containers ORDER BY created, name').all() as Row[]).map((r) => toContainer<Spec>(r));
  }

  /** Whether a container has exactly this name (not an id prefix): for uniqueness checks. */
  containerNameTaken(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM containers WHERE name = ?').get(name) !== undefined;
  }

  /** Running containers whose network mode is `container:` one of `targets` (they share its namespace). */
  containersSharingNetns(targets: string[]): ContainerRecord[] {
    const modes = targets.map((t) => `container:${t}`);
    return (this.db.prepare(`SELECT * FROM containers WHERE status = 'running' AND network_mode IN (${modes.map(() => '?').join(',')})`).all(...modes) as Row[]).map(
      (r) => toContainer(r),
    );
  }

  /** Find by exact name, full id, or unique id prefix (Docker's lookup rules). */
  container<Spec = unknown>(nameOrId: string): ContainerRecord<Spec> | undefined {
    const exact = this.db.prepare('SELECT * FROM containers WHERE name = ? OR id = ?').get(nameOrId, nameOrId) as Row | undefined;
    if (exact) return toContainer<Spec>(exact);
    if (!/^[0-9a-f]{3,63}$/.test(nameOrId)) return undefined;
    const rows = this.db.prepare("SELECT * FROM containers WHERE id LIKE ? || '%' LIMIT 2").all(nameOrId) as Row[];
    return rows.length === 1 ? toContainer<Spec>(rows[0]!) : undefined;
  }

  // ---- endpoints ------------------------------------------------------

  upsertEndpoint(e: Endpoint): void {
    this.db
      .prepare(
        `INSERT INTO endpoints (id, container_id, network_id, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data`,
      )
      .run(e.id, e.containerId, e.networkId, json(e));
  }

  deleteEndpoint(id: string): void {
    this.db.prepare('DELETE FROM endpoints WHERE id = ?').run(id);
  }

  endpointsOfContainer(containerId: string): Endpoint[] {
    return (this.db.prepare('SELECT data FROM endpoints WHERE container_id = ? ORDER BY rowid').all(containerId) as Row[]).map(
      (r) => JSON.parse(r.data as string) as Endpoint,
    );
  }

  endpointsOfNetwork(networkId: string): Endpoint[] {
    return (this.db.prepare('SELECT data FROM endpoints WHERE network_id = ? ORDER BY rowid').all(networkId) as Row[]).map(
      (r) => JSON.parse(r.data as string) as Endpoint,
    );
  }

  // ---- ports ----------------------------------------------------------

  /** Reserve host ports for a container, all or none; throws PortConflict (naming the holder) if another container holds one. */
  reservePorts(bindings: readonly PortBinding[]): { conflict?: PortBinding } {
    return this.tx(() => {
      const insert = this.db.prepare('INSERT INTO ports (protocol, host_ip, host_port, container_id, data) VALUES (?, ?, ?, ?, ?)');
      for (const b of bindings) {
        // Every overlapping row, not the first: 0.0.0.0 overlaps the container's own 127.0.0.1 and another's 10.0.0.1 at once.
        const held = this.overlappingPorts(b.protocol, b.hostIp, b.hostPort);
        const other = held.find((h) => h.containerId !== b.containerId);
        if (other) throw new PortConflict(other);
        if (held.some((h) => h.hostIp === b.hostIp)) continue; // already reserved by this container
        insert.run(b.protocol, b.hostIp, b.hostPort, b.containerId, json(b));
      }
      return {};
    });
  }

  /** Reservations that overlap `hostIp:hostPort/protocol`: the same address, or either side bound to 0.0.0.0. */
  overlappingPorts(protocol: string, hostIp: string, hostPort: number): PortBinding[] {
    return (
      this.db
        .prepare("SELECT data FROM ports WHERE protocol = ? AND host_port = ? AND (host_ip = ? OR host_ip = '0.0.0.0' OR ? = '0.0.0.0')")
        .all(protocol, hostPort, hostIp, hostIp) as Row[]
    ).map((r) => JSON.parse(r.data as string) as PortBinding);
  }

  /** Host ports in use for a protocol (any host IP), for picking free ephemeral ports. */
  usedHostPorts(protocol: string): Set<number> {
    const rows = this.db.prepare('SELECT host_port FROM ports WHERE protocol = ?').all(protocol) as Row[];
    return new Set(rows.map((r) => r.host_port as number));
  }

  portsOfContainer(containerId: string): PortBinding[] {
    return (this.db.prepare('SELECT data FROM ports WHERE container_id = ? ORDER BY rowid').all(containerId) as Row[]).map(
      (r) => JSON.parse(r.data as string) as PortBinding,
    );
  }

  allPorts(): PortBinding[] {
    return (this.db.prepare('SELECT data FROM ports ORDER BY rowid').all() as Row[]).map((r) => JSON.parse(r.data as string) as PortBinding);
  }

  releasePortsOf(containerId: string): void {
    this.db.prepare('DELETE FROM ports WHERE container_id = ?').run(containerId);
  }

  // ---- addresses (the AddressBook IPAM drivers get) -------------------

  readonly addresses: AddressBook = {
    poolSubnets: () => (this.db.prepare('SELECT subnet FROM pools').all() as Row[]).map((r) => r.subnet as string),
    allocate: (poolId, owner, pick) =>
      this.tx(() => {
        const used = new Set((this.db.prepare('SELECT address FROM addresses WHERE pool_id = ?').all(poolId) as Row[]).map((r) => r.address as string));
        const address = pick(used);
        if (address === undefined) return undefined;
        this.db.prepare('INSERT INTO addresses (pool_id, address, owner) VALUES (?, ?, ?)').run(poolId, address, owner);
        return address;
      }),
    release: (poolId, address) => {
      this.db.prepare('DELETE FROM addresses WHERE pool_id = ? AND address = ?').run(poolId, address);
    },
    releaseOwner: (poolId, owner) => {
      this.db.prepare('DELETE FROM addresses WHERE pool_id = ? AND owner = ?').run(poolId, owner);
    },
    releasePool: (poolId) => {
      this.tx(() => {
        this.db.prepare('DELETE FROM addresses WHERE pool_id = ?').run(poolId);
        this.db.prepare('DELETE FROM pools WHERE pool_id = ?').run(poolId);
      });
    },
    ownerOf: (poolId, address) =>
      opt<string>((this.db.prepare('SELECT owner FROM addresses WHERE pool_id = ? AND address = ?').get(poolId, address) as Row | undefined)?.owner),
    claimPool: (poolId, subnet, overlaps) =>
      this.tx(() => {
        const subnets = (this.db.prepare('SELECT subnet FROM pools WHERE pool_id != ?').all(poolId) as Row[]).map((r) => r.subnet as string);
        const clash = subnets.find((s) => overlaps(s, subnet));
        if (clash) return clash;
        this.db.prepare('INSERT OR REPLACE INTO pools (pool_id, subnet) VALUES (?, ?)').run(poolId, subnet);
        return undefined;
      }),
  };

  /** Every container that holds an address in any pool. */
  addressOwners(): string[] {
    return (this.db.prepare('SELECT DISTINCT owner FROM addresses').all() as Row[]).map((r) => r.owner as string);
  }

  /** Release every address `owner` holds, in every pool; returns how many. */
  releaseAddressesOf(owner: string): number {
    return this.db.prepare('DELETE FROM addresses WHERE owner = ?').run(owner).changes;
  }

  /** Forget every reservation, address, pool and setting (`system reset`, after the kernel side is gone). */
  clearAllocations(): void {
    this.db.exec('DELETE FROM ports; DELETE FROM addresses; DELETE FROM pools; DELETE FROM meta;');
  }

  // ---- saga journal ---------------------------------------------------

  /** Start a journalled operation; its undo records survive a crash until closed. */
  beginOperation(name: string): SagaJournal {
    const id = Number(this.db.prepare('INSERT INTO operations (name, pid, started) VALUES (?, ?, ?)').run(name, process.pid, new Date().toISOString()).lastInsertRowid);
    let seq = 0;
    return {
      record: (undo) => {
        this.db.prepare('INSERT INTO operation_undo (operation_id, seq, kind, data) VALUES (?, ?, ?, ?)').run(id, seq++, undo.kind, json(undo.data));
      },
      close: () => {
        this.db.prepare('DELETE FROM operations WHERE id = ?').run(id);
      },
    };
  }

  /** Operations that never closed, with their undo records newest first. */
  openOperations(): OpenOperation[] {
    const ops = this.db.prepare('SELECT * FROM operations ORDER BY id').all() as Row[];
    const undo = this.db.prepare('SELECT kind, data FROM operation_undo WHERE operation_id = ? ORDER BY seq DESC');
    return ops.map((o) => ({
      id: o.id as number,
      name: o.name as string,
      pid: o.pid as number,
      started: o.started as string,
      undo: (undo.all(o.id) as Row[]).map((u) => ({ kind: u.kind as string, data: JSON.parse(u.data as string) as Record<string, unknown> })),
    }));
  }

  closeOperation(id: number): void {
    this.db.prepare('DELETE FROM operations WHERE id = ?').run(id);
  }

  // ---- event journal --------------------------------------------------

  appendEvent(type: string, actor: { id?: string; name?: string }, payload: unknown): void {
    this.db
      .prepare('INSERT INTO events (time, type, actor_id, actor_name, payload) VALUES (?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), type, actor.id ?? null, actor.name ?? null, json(payload));
  }

  /** Events after `afterSeq` (exclusive), oldest first. */
  events(afterSeq = 0, limit = 1000): JournalEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[]).map((r) => ({
      seq: r.seq as number,
      time: r.time as string,
      type: r.type as string,
      actorId: opt<string>(r.actor_id),
      actorName: opt<string>(r.actor_name),
      payload: JSON.parse(r.payload as string) as unknown,
    }));
  }
}

/** Thrown inside `reservePorts` when another container holds a requested host port. */
export class PortConflict extends Error {
  constructor(readonly holder: PortBinding) {
    super(`port ${holder.hostIp}:${holder.hostPort}/${holder.protocol} is held by container ${holder.containerId}`);
  }
}

function toNetwork(r: Row): Network {
  return {
    id: r.id as string,
    name: r.name as string,
    driver: r.driver as string,
    ipamDriver: r.ipam_driver as string,
    pool: r.subnet ? { subnet: r.subnet as string, ipRange: opt<string>(r.ip_range), gateway: r.gateway as string } : undefined,
    internal: r.internal === 1,
    ipv6: r.ipv6 === 1,
    options: JSON.parse(r.options as string) as Record<string, string>,
    driverData: JSON.parse(r.driver_data as string) as Record<string, string>,
    created: r.created as string,
  };
}

function containerParams(c: ContainerRecord) {
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

function toContainer<Spec>(r: Row): ContainerRecord<Spec> {
  return {
    id: r.id as string,
    name: r.name as string,
    status: r.status as ContainerStatus,
    networkMode: r.network_mode as string,
    spec: JSON.parse(r.spec as string) as Spec,
    sandboxKey: opt<string>(r.sandbox_key),
    sandboxKind: opt<'own' | 'host' | 'shared'>(r.sandbox_kind),
    pid: opt<number>(r.pid),
    pidStart: opt<string>(r.pid_start),
    runId: r.run_id as number,
    exitCode: opt<number>(r.exit_code),
    created: r.created as string,
    started: opt<string>(r.started),
    finished: opt<string>(r.finished),
  };
}
