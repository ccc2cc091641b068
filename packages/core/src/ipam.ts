import type { PluginContext } from './driver.js';
import type { AddressPool } from './types.js';

/**
 * What a network asks of IPAM: pool fields the user fixed, the rest is
 * IPAM's choice. A dual-stack network asks twice, once per family, under
 * one network id: the address book keeps a pool per (network, family).
 */
export interface PoolRequest {
  networkId: string;
  /** The pool's address family; absent = 4. Given fields are of this family. */
  family?: 4 | 6;
  subnet?: string;
  ipRange?: string;
  gateway?: string;
}

/**
 * Persistent, transactional address bookkeeping that core gives IPAM
 * drivers. `allocate` runs the picker inside one write transaction, so two
 * processes never hand out the same address.
 */
export interface AddressBook {
  /** Subnets of every pool currently held, by any network, of both families. */
  poolSubnets(): string[];
  /**
   * Record that pool `poolId` holds `subnet` for the subnet's family (a
   * pool id holds at most one subnet per family), atomically checking it
   * against every other pool with `overlaps`. Returns the clashing subnet,
   * or undefined when the pool was claimed.
   */
  claimPool(poolId: string, subnet: string, overlaps: (a: string, b: string) => boolean): string | undefined;
  /**
   * Claim an address of pool `poolId` (family `family`) for `owner`. `pick`
   * looks up addresses in use and returns the one to take, with the cursor
   * to keep for the next pick (absent: the cursor stays as it is), or
   * undefined when none is free. Returns the claimed address, or undefined
   * when `pick` found nothing.
   */
  allocate(poolId: string, owner: string, family: 4 | 6, pick: (inUse: AddressesInUse) => Picked | undefined): string | undefined;
  /**
   * Release one address. Idempotent. `cursor` maps the family's cursor to
   * the one to keep now that the address is free (in the same transaction);
   * absent, the cursor is dropped.
   */
  release(poolId: string, address: string, cursor?: (current: string | undefined) => string | undefined): void;
  /** Release every address `owner` holds in the pool (crash recovery: the address may never have been learnt). Idempotent. */
  releaseOwner(poolId: string, owner: string): void;
  /** Release every address of the pool. Idempotent. */
  releasePool(poolId: string): void;
  /** Owner of an address, if claimed. */
  ownerOf(poolId: string, address: string): string | undefined;
}

/**
 * What an address picker sees of a pool's addresses in use: lookups, never
 * the whole list, so a pick costs the same with 10 addresses in use as
 * with 10,000.
 */
export interface AddressesInUse {
  /** Which of `addresses` are claimed in the pool (one query, an indexed lookup each). */
  usedAmong(addresses: readonly string[]): ReadonlySet<string>;
  /**
   * The picker's own note from an earlier pick in this pool and family (the
   * default IPAM keeps where its next search starts), or undefined: no pick
   * yet, or an address was released without a cursor rule (`releaseOwner`,
   * gc, `release` without one), which drops it.
   */
  readonly cursor: string | undefined;
}

/** What an address picker chose: the address and, optionally, the cursor to keep. */
export interface Picked {
  address: string;
  cursor?: string;
}

/** What IPAM methods receive: the plugin context plus the address book. */
export interface IpamContext extends PluginContext {
  addresses: AddressBook;
  /**
   * Address pools to auto-pick subnets from (config `defaultAddressPools`),
   * of both families. When the config names no IPv6 pool, core adds the
   * installation's ULA /48 cut into /64s (Docker 27's rule).
   */
  defaultAddressPools: readonly { base: string; size: number }[];
}

/** An IPAM driver: pools for networks, addresses for endpoints. */
export interface IpamDriver {
  readonly name: string;
  /**
   * Validate a pool request and settle it: check subnet/range/gateway, or
   * pick a free subnet of the requested family that overlaps no host route
   * and no other pool.
   */
  requestPool(ctx: IpamContext, request: PoolRequest): Promise<AddressPool>;
  /** Forget a pool and every address in it. Idempotent. */
  releasePool(ctx: IpamContext, networkId: string, pool: AddressPool): Promise<void>;
  /**
   * Take an address for `owner` from `pool` (IPv4 or IPv6, as the pool's
   * subnet): `wanted` (`--ip`, `--ip6`, checked against the subnet) or the
   * next free one. IPv6 addresses are returned in canonical form.
   */
  requestAddress(ctx: IpamContext, networkId: string, pool: AddressPool, owner: string, wanted?: string): Promise<string>;
  /** Give an address back. Idempotent. */
  releaseAddress(ctx: IpamContext, networkId: string, pool: AddressPool, address: string): Promise<void>;
  /**
   * Give back whatever `owner` holds in the pool: the undo of a request
   * whose address was never learnt (a crash, a failed join). Absent: core
   * releases the owner's claims in the address book.
   */
  releaseOwner?(ctx: IpamContext, networkId: string, pool: AddressPool, owner: string): Promise<void>;
}
