import createDebug from 'debug';
import { CtrnetError, invalidArgument } from '../errors.js';
import { cidrContains, cidrRange } from '../net/cidr.js';
import { inSaga } from '../saga.js';
import type { AddressPool } from '../types.js';
import { ipamContext, type RuntimeContext } from './context.js';
import { newId } from './ids.js';
import type { UndoKit } from './undo.js';
import { checkIpv4, quote } from './validate.js';

const debug = createDebug('ctrnet:core:pools');

/**
 * Address pools held for engines whose IPAM protocol asks for a pool before
 * the network exists and for addresses before the endpoint exists (Docker's
 * IpamDriver: RequestPool, then CreateNetwork; RequestAddress, then
 * CreateEndpoint). A lease is claimed through the IPAM driver exactly as a
 * network's pool is, under the lease's id, so a network created with
 * `ipamPool` takes it over by taking that id. Addresses leased in it are
 * owned by the lease (gc keeps them) until a sandbox attaches with one,
 * which then owns it.
 *
 * Leases are kept in the store's settings (`ipam-pool:<id>`), not a table
 * of their own: they are few, read whole, and need no schema migration.
 */

/** A pool held by `ipam.requestPool`. */
export interface PoolLease {
  /** 64 hex chars; also the pool's id in the address book, and the id of the network that takes it over. */
  id: string;
  ipamDriver: string;
  pool: AddressPool;
  created: string;
}

const KEY_PREFIX = 'ipam-pool:';

/** The lease `id`, if held. */
export function findPoolLease(ctx: RuntimeContext, id: string): PoolLease | undefined {
  const raw = ctx.store.settings.get(KEY_PREFIX + id);
  return raw === undefined ? undefined : (JSON.parse(raw) as PoolLease);
}

export class Pools {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly undo: UndoKit,
  ) {
    undo.undoers['pool-lease.delete'] = async (data) => ctx.store.settings.delete(KEY_PREFIX + String(data.id));
  }

  list(): PoolLease[] {
    return this.ctx.store.settings.withPrefix(KEY_PREFIX).map(([, value]) => JSON.parse(value) as PoolLease);
  }

  /** Ids of every lease: the owners of leased addresses, which gc must keep. */
  ids(): Set<string> {
    return new Set(this.list().map((l) => l.id));
  }

  /** Claim a pool (a given subnet, or one IPAM picks) under a new lease id. */
  async request(request: { ipamDriver?: string; subnet?: string; ipRange?: string; gateway?: string }): Promise<PoolLease> {
    const ipam = this.ctx.registry.ipamDriver(request.ipamDriver ?? this.ctx.config.defaultIpamDriver);
    const id = newId();
    return this.ctx.store.lock.withLock(() =>
      inSaga(`ipam pool ${id.slice(0, 12)}`, this.undo.undoers, this.ctx.store.operations.begin(`ipam pool ${id.slice(0, 12)}`), async (saga) => {
        const pool = await saga.step('request pool', () => ipam.requestPool(ipamContext(this.ctx, ipam.name), { networkId: id, subnet: request.subnet, ipRange: request.ipRange, gateway: request.gateway }), {
          kind: 'pool.release',
          data: { networkId: id, ipamDriver: ipam.name },
        });
        const lease: PoolLease = { id, ipamDriver: ipam.name, pool, created: this.ctx.clock.now().toISOString() };
        await saga.step('record lease', () => this.ctx.store.settings.set(KEY_PREFIX + id, JSON.stringify(lease)), { kind: 'pool-lease.delete', data: { id } });
        debug('leased pool %s: %o', id.slice(0, 12), pool);
        return lease;
      }),
    );
  }

  /**
   * End a lease, with every address leased in it. Idempotent. A network that
   * took the pool over keeps it (and its addresses) until it is removed:
   * Docker releases the pool before it deletes the network.
   */
  async release(id: string): Promise<void> {
    await this.ctx.store.lock.withLock(async () => {
      const lease = findPoolLease(this.ctx, id);
      if (!lease) return;
      if (this.ctx.store.networks.find(id)?.id === id) {
        this.ctx.store.settings.delete(KEY_PREFIX + id);
        return;
      }
      const ipam = this.ctx.registry.ipamDriver(lease.ipamDriver);
      await ipam.releasePool(ipamContext(this.ctx, ipam.name), id, lease.pool);
      this.ctx.store.settings.delete(KEY_PREFIX + id);
    });
  }

  /**
   * Lease an address of pool `id`: `address`, or the next free one. With
   * `gateway`, settle the pool's gateway instead (Docker asks for it after
   * the pool): `address`, if given, becomes it while no network uses the pool.
   */
  async requestAddress(id: string, address: string | undefined, gateway: boolean): Promise<{ address: string; prefixLen: number }> {
    return this.ctx.store.lock.withLock(async () => {
      const lease = this.get(id);
      const network = this.ctx.store.networks.find(id);
      const pool = network?.id === id && network.pool ? network.pool : lease.pool;
      const prefixLen = cidrRange(pool.subnet).prefix;
      if (gateway) {
        if (address === undefined || address === pool.gateway) return { address: pool.gateway, prefixLen };
        checkIpv4(address, 'gateway');
        if (!cidrContains(pool.subnet, address)) throw invalidArgument(`gateway ${address} is outside pool ${pool.subnet}; pick an address inside it`);
        if (network?.id === id) throw new CtrnetError('INVALID_STATE', `pool ${pool.subnet} is in use by network ${network.name}; its gateway stays ${pool.gateway}`);
        const ownerOf = this.ctx.store.addresses.ownerOf(id, address);
        if (ownerOf) throw new CtrnetError('CONFLICT', `address ${address} of pool ${pool.subnet} is already leased; pick another gateway`);
        this.ctx.store.settings.set(KEY_PREFIX + id, JSON.stringify({ ...lease, pool: { ...lease.pool, gateway: address } }));
        return { address, prefixLen };
      }
      if (address !== undefined) checkIpv4(address, 'address');
      const ipam = this.ctx.registry.ipamDriver(lease.ipamDriver);
      const leased = await ipam.requestAddress(ipamContext(this.ctx, ipam.name), id, pool, id, address);
      return { address: leased, prefixLen };
    });
  }

  /** Give a leased address back. Idempotent; an address a sandbox owns by now is left to it. */
  async releaseAddress(id: string, address: string): Promise<void> {
    await this.ctx.store.lock.withLock(async () => {
      const lease = findPoolLease(this.ctx, id);
      if (!lease || this.ctx.store.addresses.ownerOf(id, address) !== id) return;
      const network = this.ctx.store.networks.find(id);
      const ipam = this.ctx.registry.ipamDriver(lease.ipamDriver);
      await ipam.releaseAddress(ipamContext(this.ctx, ipam.name), id, network?.pool ?? lease.pool, address);
    });
  }

  private get(id: string): PoolLease {
    const lease = findPoolLease(this.ctx, id);
    if (!lease) throw new CtrnetError('NOT_FOUND', `no such address pool: ${quote(id)}; request one with ipam.requestPool`);
    return lease;
  }
}
