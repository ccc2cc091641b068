import type Database from 'better-sqlite3';
import type { Endpoint } from '../types.js';
import { json, parsed, type Row } from './rows.js';

/** The endpoints table: one row per container interface on a network. */
export class EndpointRepository {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      upsert: db.prepare(
        `INSERT INTO endpoints (id, container_id, network_id, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data`,
      ),
      delete: db.prepare('DELETE FROM endpoints WHERE id = ?'),
      ofContainer: db.prepare('SELECT data FROM endpoints WHERE container_id = ? ORDER BY rowid'),
      ofNetwork: db.prepare('SELECT data FROM endpoints WHERE network_id = ? ORDER BY rowid'),
    };
  }

  upsert(e: Endpoint): void {
    this.q.upsert.run(e.id, e.containerId, e.networkId, json(e));
  }

  delete(id: string): void {
    this.q.delete.run(id);
  }

  ofContainer(containerId: string): Endpoint[] {
    return (this.q.ofContainer.all(containerId) as Row[]).map((r) => parsed<Endpoint>(r.data));
  }

  ofNetwork(networkId: string): Endpoint[] {
    return (this.q.ofNetwork.all(networkId) as Row[]).map((r) => parsed<Endpoint>(r.data));
  }
}
