/**
 * The `default` IPAM driver: Docker's address management, IPv4 and IPv6.
 * Pools and addresses live in core's address book, whose claims are
 * transactions, so concurrent ctrnet processes never hand out the same
 * subnet or address. A dual-stack network holds one pool per family under
 * its network id.
 */
import type { AddressPool, IpamContext, IpamDriver, PoolRequest } from '@ctrnet/core';
import { CtrnetError, cidrsOverlap, invalidArgument } from '@ctrnet/core';
import createDebug from 'debug';
import { cursorAfterRelease, lowestFreeAddress } from './address-picker.js';
import { readHostRoutes } from './host-routes.js';
import { checkWantedAddress, settlePool } from './pool-request.js';
import { candidateSubnets } from './subnet-candidates.js';

const debug = createDebug('ctrnet:ipam-default:driver');

/** Docker's short network id, for messages. */
const shortId = (networkId: string) => networkId.slice(0, 12);

export class DefaultIpam implements IpamDriver {
  readonly name = 'default';

  async requestPool(ctx: IpamContext, request: PoolRequest): Promise<AddressPool> {
    const { networkId, subnet, ipRange, gateway } = request;
    const family = request.family ?? 4;
    if (subnet === undefined) {
      if (ipRange !== undefined || gateway !== undefined) {
        throw invalidArgument(`${ipRange !== undefined ? `ip-range ${ipRange}` : `gateway ${gateway}`} needs an explicit subnet; add --subnet CIDR`);
      }
      return this.pickPool(ctx, networkId, family);
    }
    const pool = settlePool(subnet, ipRange, gateway, family);
    // Docker refuses an explicit subnet that overlaps another network, but not
    // one that overlaps a host route: the user may mean to shadow that route.
    const clash = ctx.addresses.claimPool(networkId, pool.subnet, cidrsOverlap);
    if (clash !== undefined) {
      throw new CtrnetError('CONFLICT', `subnet ${subnet} overlaps network pool ${clash}, used by another network; choose a subnet that overlaps no other network, or remove that network`);
    }
    debug('network %s: pool %o', shortId(networkId), pool);
    return pool;
  }

  /** The first candidate of `family` in `defaultAddressPools` that overlaps no host route and no other pool. */
  private async pickPool(ctx: IpamContext, networkId: string, family: 4 | 6): Promise<AddressPool> {
    const routes = await readHostRoutes(ctx.exec, family);
    const held = ctx.addresses.poolSubnets();
    for (const candidate of candidateSubnets(ctx.defaultAddressPools, family)) {
      const taken = routes.find((r) => cidrsOverlap(r, candidate)) ?? held.find((p) => cidrsOverlap(p, candidate));
      if (taken !== undefined) continue;
      // `held` is a snapshot: another process may claim this candidate first,
      // in which case the claim reports it and we move on to the next one.
      const clash = ctx.addresses.claimPool(networkId, candidate, cidrsOverlap);
      if (clash === undefined) {
        const pool = settlePool(candidate, undefined, undefined, family);
        debug('network %s: picked pool %o', shortId(networkId), pool);
        return pool;
      }
      debug('candidate %s was claimed concurrently (clashes with %s)', candidate, clash);
    }
    const pools = ctx.defaultAddressPools.filter((p) => p.base.includes(':') === (family === 6)).map((p) => `${p.base} in /${p.size} blocks`).join(', ') || 'none configured';
    throw new CtrnetError(
      'EXHAUSTED',
      `no free IPv${family} subnet left in defaultAddressPools (${pools}): each one overlaps a host route or another network; pass --subnet CIDR, or add a pool to defaultAddressPools in the config`,
    );
  }

  async releasePool(ctx: IpamContext, networkId: string, _pool: AddressPool): Promise<void> {
    ctx.addresses.releasePool(networkId);
  }

  async requestAddress(ctx: IpamContext, networkId: string, pool: AddressPool, owner: string, wanted?: string): Promise<string> {
    if (wanted !== undefined) return this.claimWanted(ctx, networkId, pool, owner, wanted);
    const address = ctx.addresses.allocate(networkId, owner, familyOf(pool), (inUse) => lowestFreeAddress(pool, inUse));
    if (address === undefined) {
      const where = pool.ipRange === undefined ? `subnet ${pool.subnet}` : `subnet ${pool.subnet}, ip-range ${pool.ipRange}`;
      throw new CtrnetError('EXHAUSTED', `no free address in network ${shortId(networkId)} (${where}); remove a container or use a bigger --subnet`);
    }
    debug('network %s: %s -> %s', shortId(networkId), owner, address);
    return address;
  }

  private claimWanted(ctx: IpamContext, networkId: string, pool: AddressPool, owner: string, requested: string): string {
    const wanted = checkWantedAddress(pool, requested);
    const claimed = ctx.addresses.allocate(networkId, owner, familyOf(pool), (inUse) => (inUse.usedAmong([wanted]).has(wanted) ? undefined : { address: wanted }));
    if (claimed !== undefined) return claimed;
    const holder = ctx.addresses.ownerOf(networkId, wanted);
    // A retried request (a saga re-run after a crash) gets its own address back.
    if (holder === owner) return wanted;
    throw new CtrnetError(
      'CONFLICT',
      `IP address ${wanted} is already in use by ${holder ?? 'another endpoint'} in network ${shortId(networkId)}; choose another --ip, or leave it out to get a free address`,
    );
  }

  async releaseAddress(ctx: IpamContext, networkId: string, pool: AddressPool, address: string): Promise<void> {
    ctx.addresses.release(networkId, address, (cursor) => cursorAfterRelease(pool, address, cursor));
  }
}

function familyOf(pool: AddressPool): 4 | 6 {
  return pool.subnet.includes(':') ? 6 : 4;
}
