import type Database from 'better-sqlite3';
import type { Network } from '../types.js';
import { isIdPrefix, json, opt, parsed, type Row } from './rows.js';

/** The networks table. */
export class NetworkRepository {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      insert: db.prepare(
        `INSERT INTO networks (id, name, driver, ipam_driver, subnet, ip_range, gateway, subnet6, ip_range6, gateway6, internal, ipv4, ipv6, options, driver_data, created)
         VALUES (@id, @name, @driver, @ipamDriver, @subnet, @ipRange, @gateway, @subnet6, @ipRange6, @gateway6, @internal, @ipv4, @ipv6, @options, @driverData, @created)`,
      ),
      delete: db.prepare('DELETE FROM networks WHERE id = ?'),
      all: db.prepare('SELECT * FROM networks ORDER BY created, name'),
      // A name wins over an id (Docker's rule).
      exact: db.prepare('SELECT * FROM networks WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1'),
      byPrefix: db.prepare("SELECT * FROM networks WHERE id LIKE ? || '%' LIMIT 2"),
    };
  }

  insert(n: Network): void {
    this.q.insert.run({
      ...n,
      subnet: n.pool?.subnet ?? null,
      ipRange: n.pool?.ipRange ?? null,
      gateway: n.pool?.gateway ?? null,
      subnet6: n.pool6?.subnet ?? null,
      ipRange6: n.pool6?.ipRange ?? null,
      gateway6: n.pool6?.gateway ?? null,
      internal: n.internal ? 1 : 0,
      ipv4: n.ipv4 === false ? 0 : 1,
      ipv6: n.ipv6 ? 1 : 0,
      options: json(n.options),
      driverData: json(n.driverData),
    });
  }

  delete(id: string): void {
    this.q.delete.run(id);
  }

  all(): Network[] {
    return (this.q.all.all() as Row[]).map(fromRow);
  }

  /** Find by exact name, full id, or unique id prefix. */
  find(nameOrId: string): Network | undefined {
    const exact = this.q.exact.get(nameOrId, nameOrId, nameOrId) as Row | undefined;
    if (exact) return fromRow(exact);
    if (!isIdPrefix(nameOrId)) return undefined;
    const rows = this.q.byPrefix.all(nameOrId) as Row[];
    return rows.length === 1 ? fromRow(rows[0]!) : undefined;
  }
}

function fromRow(r: Row): Network {
  return {
    id: r.id as string,
    name: r.name as string,
    driver: r.driver as string,
    ipamDriver: r.ipam_driver as string,
    pool: r.subnet ? { subnet: r.subnet as string, ipRange: opt<string>(r.ip_range), gateway: r.gateway as string } : undefined,
    pool6: r.subnet6 ? { subnet: r.subnet6 as string, ipRange: opt<string>(r.ip_range6), gateway: r.gateway6 as string } : undefined,
    internal: r.internal === 1,
    ipv4: r.ipv4 !== 0,
    ipv6: r.ipv6 === 1,
    options: parsed<Record<string, string>>(r.options),
    driverData: parsed<Record<string, string>>(r.driver_data),
    created: r.created as string,
  };
}
