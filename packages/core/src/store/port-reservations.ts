import type Database from 'better-sqlite3';
import type { PortBinding } from '../types.js';
import { json, parsed, type Row } from './rows.js';

/** Thrown by {@link PortReservations.reserve} when another container holds a requested host port. */
export class PortConflict extends Error {
  constructor(readonly holder: PortBinding) {
    super(`port ${holder.hostIp}:${holder.hostPort}/${holder.protocol} is held by container ${holder.containerId}`);
  }
}

/**
 * Host-port reservations: which container holds which host address, port and
 * protocol. A reservation is what makes a port "allocated"; the publisher's
 * kernel rules follow it.
 */
export class PortReservations {
  private readonly q;

  constructor(
    private readonly db: Database.Database,
  ) {
    this.q = {
      insert: db.prepare('INSERT INTO ports (protocol, host_ip, host_port, container_id, data) VALUES (?, ?, ?, ?, ?)'),
      // 0.0.0.0 stands for every IPv4 address and :: for every IPv6 one; the families never overlap (their rules are apart).
      overlapping: db.prepare(
        `SELECT data FROM ports WHERE protocol = @protocol AND host_port = @port AND (host_ip = @ip
           OR (host_ip = '0.0.0.0' AND instr(@ip, ':') = 0) OR (@ip = '0.0.0.0' AND instr(host_ip, ':') = 0)
           OR (host_ip = '::' AND instr(@ip, ':') > 0) OR (@ip = '::' AND instr(host_ip, ':') > 0))`,
      ),
      used: db.prepare('SELECT host_port FROM ports WHERE protocol = ?'),
      ofContainer: db.prepare('SELECT data FROM ports WHERE container_id = ? ORDER BY rowid'),
      all: db.prepare('SELECT data FROM ports ORDER BY rowid'),
      owners: db.prepare('SELECT DISTINCT container_id FROM ports'),
      releaseOf: db.prepare('DELETE FROM ports WHERE container_id = ?'),
      clear: db.prepare('DELETE FROM ports'),
    };
  }

  /** Reserve host ports for a container, all or none; throws PortConflict (naming the holder) if another container holds one. */
  reserve(bindings: readonly PortBinding[]): void {
    this.db
      .transaction(() => {
        for (const b of bindings) {
          // Every overlapping row, not the first: 0.0.0.0 overlaps the container's own 127.0.0.1 and another's 10.0.0.1 at once.
          const held = this.overlapping(b.protocol, b.hostIp, b.hostPort).filter((h) => !b.routed || h.hostIp === b.hostIp);
          const other = held.find((h) => h.containerId !== b.containerId);
          if (other) throw new PortConflict(other);
          if (held.some((h) => h.hostIp === b.hostIp)) continue; // already reserved by this container
          this.q.insert.run(b.protocol, b.hostIp, b.hostPort, b.containerId, json(b));
        }
      })
      .immediate();
  }

  /**
   * Reservations that overlap `hostIp:hostPort/protocol`: the same address,
   * or either side bound to every address of the family (0.0.0.0, ::). A
   * routed port (keyed by the container's own address) overlaps only itself.
   */
  overlapping(protocol: string, hostIp: string, hostPort: number): PortBinding[] {
    return (this.q.overlapping.all({ protocol, port: hostPort, ip: hostIp }) as Row[])
      .map((r) => parsed<PortBinding>(r.data))
      .filter((b) => !b.routed || b.hostIp === hostIp);
  }

  /** Host ports in use for a protocol (any host IP), for picking free ephemeral ports. */
  usedHostPorts(protocol: string): Set<number> {
    return new Set((this.q.used.all(protocol) as Row[]).map((r) => r.host_port as number));
  }

  ofContainer(containerId: string): PortBinding[] {
    return (this.q.ofContainer.all(containerId) as Row[]).map((r) => parsed<PortBinding>(r.data));
  }

  all(): PortBinding[] {
    return (this.q.all.all() as Row[]).map((r) => parsed<PortBinding>(r.data));
  }

  /** Containers holding any reservation. */
  owners(): string[] {
    return (this.q.owners.all() as Row[]).map((r) => r.container_id as string);
  }

  releaseOf(containerId: string): void {
    this.q.releaseOf.run(containerId);
  }

  clear(): void {
    this.q.clear.run();
  }
}
