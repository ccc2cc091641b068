import type Database from 'better-sqlite3';
import type { AddressBook, AddressesInUse, Picked } from '../ipam.js';
import { opt, type Row } from './rows.js';

/**
 * Pools and addresses: the {@link AddressBook} IPAM drivers get, plus what gc
 * and reset need. Claims run in one IMMEDIATE transaction each, so two
 * processes never hand out one address. Each pool and family may keep a
 * cursor, the picker's note of where to search next; a release without a
 * cursor rule drops it, so a cursor never hides an address given back.
 */
export class SqliteAddressBook implements AddressBook {
  private readonly q;
  private readonly inQueries = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.q = {
      poolSubnets: db.prepare('SELECT subnet FROM pools'),
      // A network's IPv4 and IPv6 pools are two rows: (pool id, family).
      otherPools: db.prepare('SELECT subnet FROM pools WHERE NOT (pool_id = ? AND family = ?)'),
      claimPool: db.prepare('INSERT OR REPLACE INTO pools (pool_id, family, subnet) VALUES (?, ?, ?)'),
      insert: db.prepare('INSERT INTO addresses (pool_id, address, owner) VALUES (?, ?, ?)'),
      release: db.prepare('DELETE FROM addresses WHERE pool_id = ? AND address = ?'),
      releaseOwner: db.prepare('DELETE FROM addresses WHERE pool_id = ? AND owner = ?'),
      releasePoolAddresses: db.prepare('DELETE FROM addresses WHERE pool_id = ?'),
      releasePool: db.prepare('DELETE FROM pools WHERE pool_id = ?'),
      ownerOf: db.prepare('SELECT owner FROM addresses WHERE pool_id = ? AND address = ?'),
      owners: db.prepare('SELECT DISTINCT owner FROM addresses'),
      releaseEverywhere: db.prepare('DELETE FROM addresses WHERE owner = ?'),
      cursor: db.prepare('SELECT cursor FROM address_cursors WHERE pool_id = ? AND family = ?'),
      setCursor: db.prepare('INSERT OR REPLACE INTO address_cursors (pool_id, family, cursor) VALUES (?, ?, ?)'),
      dropCursor: db.prepare('DELETE FROM address_cursors WHERE pool_id = ? AND family = ?'),
      dropCursors: db.prepare('DELETE FROM address_cursors WHERE pool_id = ?'),
      dropCursorsOfOwner: db.prepare('DELETE FROM address_cursors WHERE pool_id IN (SELECT pool_id FROM addresses WHERE owner = ?)'),
    };
  }

  /** `SELECT ... address IN (?, ?, ...)` with `n` placeholders, prepared once per size. */
  private usedAmongQuery(n: number): Database.Statement {
    let q = this.inQueries.get(n);
    if (!q) {
      q = this.db.prepare(`SELECT address FROM addresses WHERE pool_id = ? AND address IN (${Array(n).fill('?').join(', ')})`);
      this.inQueries.set(n, q);
    }
    return q;
  }

  poolSubnets(): string[] {
    return (this.q.poolSubnets.all() as Row[]).map((r) => r.subnet as string);
  }

  claimPool(poolId: string, subnet: string, overlaps: (a: string, b: string) => boolean): string | undefined {
    const family = subnet.includes(':') ? 6 : 4;
    return this.immediate(() => {
      const clash = (this.q.otherPools.all(poolId, family) as Row[]).map((r) => r.subnet as string).find((s) => overlaps(s, subnet));
      if (clash) return clash;
      this.q.claimPool.run(poolId, family, subnet);
      return undefined;
    });
  }

  allocate(poolId: string, owner: string, family: 4 | 6, pick: (inUse: AddressesInUse) => Picked | undefined): string | undefined {
    return this.immediate(() => {
      const inUse: AddressesInUse = {
        usedAmong: (addresses) => {
          const used = new Set<string>();
          if (addresses.length === 0) return used;
          for (const row of this.usedAmongQuery(addresses.length).all(poolId, ...addresses) as Row[]) used.add(row.address as string);
          return used;
        },
        cursor: this.cursorOf(poolId, family),
      };
      const picked = pick(inUse);
      if (picked === undefined) return undefined;
      this.q.insert.run(poolId, picked.address, owner);
      if (picked.cursor !== undefined) this.q.setCursor.run(poolId, family, picked.cursor);
      return picked.address;
    });
  }

  release(poolId: string, address: string, cursor?: (current: string | undefined) => string | undefined): void {
    const family = address.includes(':') ? 6 : 4;
    this.immediate(() => {
      if (this.q.release.run(poolId, address).changes === 0) return;
      const next = cursor?.(this.cursorOf(poolId, family));
      if (next === undefined) this.q.dropCursor.run(poolId, family);
      else this.q.setCursor.run(poolId, family, next);
    });
  }

  releaseOwner(poolId: string, owner: string): void {
    this.immediate(() => {
      if (this.q.releaseOwner.run(poolId, owner).changes > 0) this.q.dropCursors.run(poolId);
    });
  }

  releasePool(poolId: string): void {
    this.immediate(() => {
      this.q.releasePoolAddresses.run(poolId);
      this.q.releasePool.run(poolId);
      this.q.dropCursors.run(poolId);
    });
  }

  ownerOf(poolId: string, address: string): string | undefined {
    return opt<string>((this.q.ownerOf.get(poolId, address) as Row | undefined)?.owner);
  }

  /** Every container that holds an address in any pool. */
  owners(): string[] {
    return (this.q.owners.all() as Row[]).map((r) => r.owner as string);
  }

  /** Release every address `owner` holds, in every pool; returns how many. */
  releaseEverywhere(owner: string): number {
    return this.immediate(() => {
      this.q.dropCursorsOfOwner.run(owner);
      return this.q.releaseEverywhere.run(owner).changes;
    });
  }

  /** Forget every pool and address (`system reset`, after the kernel side is gone). */
  clear(): void {
    this.db.exec('DELETE FROM addresses; DELETE FROM pools; DELETE FROM address_cursors;');
  }

  private cursorOf(poolId: string, family: 4 | 6): string | undefined {
    return opt<string>((this.q.cursor.get(poolId, family) as Row | undefined)?.cursor);
  }

  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
