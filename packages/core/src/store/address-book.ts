import type Database from 'better-sqlite3';
import type { AddressBook } from '../ipam.js';
import { opt, type Row } from './rows.js';

/**
 * Pools and addresses: the {@link AddressBook} IPAM drivers get, plus what gc
 * and reset need. Claims run in one IMMEDIATE transaction each, so two
 * processes never hand out one address.
 */
export class SqliteAddressBook implements AddressBook {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      poolSubnets: db.prepare('SELECT subnet FROM pools'),
      // A network's IPv4 and IPv6 pools are two rows: (pool id, family).
      otherPools: db.prepare('SELECT subnet FROM pools WHERE NOT (pool_id = ? AND family = ?)'),
      claimPool: db.prepare('INSERT OR REPLACE INTO pools (pool_id, family, subnet) VALUES (?, ?, ?)'),
      used: db.prepare('SELECT address FROM addresses WHERE pool_id = ?'),
      insert: db.prepare('INSERT INTO addresses (pool_id, address, owner) VALUES (?, ?, ?)'),
      release: db.prepare('DELETE FROM addresses WHERE pool_id = ? AND address = ?'),
      releaseOwner: db.prepare('DELETE FROM addresses WHERE pool_id = ? AND owner = ?'),
      releasePoolAddresses: db.prepare('DELETE FROM addresses WHERE pool_id = ?'),
      releasePool: db.prepare('DELETE FROM pools WHERE pool_id = ?'),
      ownerOf: db.prepare('SELECT owner FROM addresses WHERE pool_id = ? AND address = ?'),
      owners: db.prepare('SELECT DISTINCT owner FROM addresses'),
      releaseEverywhere: db.prepare('DELETE FROM addresses WHERE owner = ?'),
    };
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

  allocate(poolId: string, owner: string, pick: (used: ReadonlySet<string>) => string | undefined): string | undefined {
    return this.immediate(() => {
      const used = new Set((this.q.used.all(poolId) as Row[]).map((r) => r.address as string));
      const address = pick(used);
      if (address === undefined) return undefined;
      this.q.insert.run(poolId, address, owner);
      return address;
    });
  }

  release(poolId: string, address: string): void {
    this.q.release.run(poolId, address);
  }

  releaseOwner(poolId: string, owner: string): void {
    this.q.releaseOwner.run(poolId, owner);
  }

  releasePool(poolId: string): void {
    this.immediate(() => {
      this.q.releasePoolAddresses.run(poolId);
      this.q.releasePool.run(poolId);
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
    return this.q.releaseEverywhere.run(owner).changes;
  }

  /** Forget every pool and address (`system reset`, after the kernel side is gone). */
  clear(): void {
    this.db.exec('DELETE FROM addresses; DELETE FROM pools;');
  }

  private immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
