/**
 * The `etcd` IPAM driver: a network's subnet is one pool for the whole
 * cluster, cut into per-host slices; each host hands out addresses only from
 * its own slice. Every claim is an etcd transaction that succeeds only if
 * nobody holds the key (`create_revision == 0`), so two hosts never get one
 * slice or one address; slices and addresses are bound to the host's lease,
 * so a dead host's come back after the TTL.
 *
 * Each host's copy of the network keeps its own view of the pool: the
 * cluster subnet, its slice as `ipRange` and the slice's first address as
 * gateway. The pool is also claimed in the local address book, so local
 * networks (bridge) never overlap it.
 */
import {
  CtrnetError,
  cidrContains,
  cidrRange,
  cidrsOverlap,
  intToIp,
  invalidArgument,
  ipToInt,
  isValidCidr,
  isValidIpv4,
  type AddressPool,
  type IpamContext,
  type IpamDriver,
  type PluginSettings,
  type PoolRequest,
} from '@ctrnet/core';
import createDebug from 'debug';
import { prefixEnd } from './etcd-client.js';
import { hostSession, type HostSession } from './host-session.js';
import { addressesOf, addressKey, lastPart, POOLS, poolKey, sliceKey, slicesOf, type AddressRecord, type PoolRecord, type SliceRecord } from './keys.js';
import { hostPool, sliceAddresses, slicePrefixOf } from './slices.js';

const debug = createDebug('ctrnet:ipam-etcd:driver');

/** Attempts of an optimistic transaction before giving up (only contention makes one fail). */
const TXN_ATTEMPTS = 20;

/** The IPAM driver's name, as networks and `--ipam-driver` name it. */
export const ETCD_IPAM = 'etcd';

const shortId = (networkId: string) => networkId.slice(0, 12);

export class EtcdIpam implements IpamDriver {
  readonly name = ETCD_IPAM;

  constructor(private readonly settings: PluginSettings) {}

  async requestPool(ctx: IpamContext, request: PoolRequest): Promise<AddressPool> {
    const session = this.session();
    const { networkId, subnet } = request;
    if (request.family === 6) throw invalidArgument(`the etcd IPAM hands out IPv4 only; create this network without --ipv6`);
    if (subnet === undefined) throw invalidArgument(`the etcd IPAM needs --subnet: one range for the whole cluster, cut into per-host slices; add --subnet CIDR`);
    if (!isValidCidr(subnet)) throw invalidArgument(`invalid --subnet ${JSON.stringify(subnet)}: expected an IPv4 CIDR such as 10.200.0.0/16`);
    if (request.ipRange !== undefined || request.gateway !== undefined) {
      throw invalidArgument(`the etcd IPAM picks each host's range and gateway itself (its slice); drop --ip-range and --gateway`);
    }
    const slicePrefix = slicePrefixOf(subnet);
    const clash = ctx.addresses.claimPool(networkId, subnet, cidrsOverlap);
    if (clash !== undefined) {
      throw new CtrnetError('CONFLICT', `subnet ${subnet} overlaps ${clash}, a network of this host; choose a subnet no local network overlaps`);
    }
    try {
      await this.claimClusterPool(session, networkId, { subnet, slicePrefix });
      const slice = await this.claimSlice(session, networkId, subnet, slicePrefix);
      debug('network %s: host %s has slice %s/%d', shortId(networkId), session.host, slice, slicePrefix);
      return hostPool(subnet, slice, slicePrefix);
    } catch (err) {
      ctx.addresses.releasePool(networkId);
      throw err;
    }
  }

  /** The cluster's pool record: created if absent (no other pool may overlap), else it must match. */
  private async claimClusterPool(session: HostSession, networkId: string, record: PoolRecord): Promise<void> {
    for (let attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
      const { kvs, revision } = await session.etcd.prefix(POOLS);
      const mine = kvs.find((kv) => lastPart(kv.key) === networkId);
      if (mine) {
        const held = JSON.parse(mine.value) as PoolRecord;
        if (held.subnet !== record.subnet) throw new CtrnetError('CONFLICT', `network ${shortId(networkId)} holds ${held.subnet} in the cluster, not ${record.subnet}; remove it first`);
        return;
      }
      const other = kvs.map((kv) => JSON.parse(kv.value) as PoolRecord).find((p) => cidrsOverlap(p.subnet, record.subnet));
      if (other) throw new CtrnetError('CONFLICT', `subnet ${record.subnet} overlaps ${other.subnet}, used by another network of the cluster; choose another --subnet`);
      // Nothing under the pools prefix may have changed since the read: that is what makes the overlap check hold.
      const txn = await session.etcd.txn(
        [{ key: POOLS, rangeEnd: prefixEnd(POOLS), target: 'MOD', result: 'LESS', operand: revision + 1 }],
        [{ put: { key: poolKey(networkId), value: JSON.stringify(record) } }],
      );
      if (txn.succeeded) return;
    }
    throw new CtrnetError('CONFLICT', `could not claim subnet ${record.subnet} in the cluster: too many concurrent changes; try again`);
  }

  /** This host's slice: the one it holds, else the lowest free one, taken in a transaction. */
  private async claimSlice(session: HostSession, networkId: string, subnet: string, slicePrefix: number): Promise<string> {
    for (let attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
      const lease = await session.lease();
      const { kvs } = await session.etcd.prefix(slicesOf(networkId));
      const held = kvs.find((kv) => (JSON.parse(kv.value) as SliceRecord).host === session.host);
      if (held) return lastPart(held.key);
      const taken = new Set(kvs.map((kv) => lastPart(kv.key)));
      const free = [...sliceAddresses(subnet, slicePrefix)].find((s) => !taken.has(s));
      if (!free) throw new CtrnetError('EXHAUSTED', `every /${slicePrefix} slice of ${subnet} is held by another host; use a bigger --subnet`);
      if (await this.putIfAbsent(session, sliceKey(networkId, free), { host: session.host }, lease)) return free;
    }
    throw new CtrnetError('CONFLICT', `could not claim a slice of ${subnet}: too many concurrent changes; try again`);
  }

  /**
   * Releases, like removals, must work while etcd is down (a container
   * removed, a host reset): then the keys stay bound to the host's lease
   * until the lease keeper's sweep or the driver's reconcile removes them.
   */
  async releasePool(ctx: IpamContext, networkId: string, pool: AddressPool): Promise<void> {
    await unlessUnreachable(`releasing network ${shortId(networkId)}'s slice`, () => this.releaseClusterPool(networkId, pool));
    ctx.addresses.releasePool(networkId);
  }

  private async releaseClusterPool(networkId: string, pool: AddressPool): Promise<void> {
    const session = this.session();
    const { kvs } = await session.etcd.prefix(addressesOf(networkId));
    for (const kv of kvs) if ((JSON.parse(kv.value) as AddressRecord).host === session.host) await this.deleteIfUnchanged(session, kv.key, kv.modRevision);
    if (pool.ipRange) await this.deleteIfMine(session, sliceKey(networkId, pool.ipRange.split('/')[0]!));
    // The last host out removes the pool: only when no slice is left.
    await session.etcd.txn(
      [{ key: slicesOf(networkId), rangeEnd: prefixEnd(slicesOf(networkId)), target: 'CREATE', result: 'EQUAL', operand: 0 }],
      [{ deleteRange: { key: poolKey(networkId) } }, { deleteRange: { key: addressesOf(networkId), rangeEnd: prefixEnd(addressesOf(networkId)) } }],
    );
  }

  async requestAddress(_ctx: IpamContext, networkId: string, pool: AddressPool, owner: string, wanted?: string): Promise<string> {
    const session = this.session();
    const slice = sliceOf(pool);
    if (wanted !== undefined) checkWanted(pool, slice, wanted, session.host);
    for (let attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
      const lease = await session.lease();
      await this.ensureSlice(session, networkId, slice, lease);
      const { kvs } = await session.etcd.prefix(addressesOf(networkId));
      const records = new Map(kvs.map((kv) => [lastPart(kv.key), JSON.parse(kv.value) as AddressRecord]));
      if (wanted !== undefined) {
        const holder = records.get(wanted);
        // A retried request (a saga re-run after a crash) gets its own address back.
        if (holder?.owner === owner && holder.host === session.host) return wanted;
        if (holder) {
          throw new CtrnetError('CONFLICT', `IP address ${wanted} is already in use by ${holder.owner.slice(0, 12)} on host ${holder.host} in network ${shortId(networkId)}; choose another --ip`);
        }
      }
      const address = wanted ?? lowestFree(pool, slice, records);
      if (!address) throw new CtrnetError('EXHAUSTED', `no free address in host ${session.host}'s slice ${slice} of network ${shortId(networkId)}; remove a container here`);
      if (await this.putIfAbsent(session, addressKey(networkId, address), { host: session.host, owner }, lease)) {
        debug('network %s: %s -> %s', shortId(networkId), owner.slice(0, 12), address);
        return address;
      }
    }
    throw new CtrnetError('CONFLICT', `could not claim an address in ${slice}: too many concurrent changes; try again`);
  }

  async releaseAddress(_ctx: IpamContext, networkId: string, _pool: AddressPool, address: string): Promise<void> {
    await unlessUnreachable(`releasing ${address}`, () => this.deleteIfMine(this.session(), addressKey(networkId, address)));
  }

  /** The undo of a request that failed, often because etcd went away (see {@link releasePool}). */
  async releaseOwner(_ctx: IpamContext, networkId: string, _pool: AddressPool, owner: string): Promise<void> {
    await unlessUnreachable(`releasing the address of ${owner.slice(0, 12)}`, () => this.releaseOwnerInCluster(networkId, owner));
  }

  private async releaseOwnerInCluster(networkId: string, owner: string): Promise<void> {
    const session = this.session();
    const { kvs } = await session.etcd.prefix(addressesOf(networkId));
    for (const kv of kvs) {
      const record = JSON.parse(kv.value) as AddressRecord;
      if (record.owner === owner && record.host === session.host) await this.deleteIfUnchanged(session, kv.key, kv.modRevision);
    }
  }

  /**
   * The slice is this host's, bound to its current lease: put back if it
   * lapsed (the lease expired while this host was cut off), refused if
   * another host took it meanwhile.
   */
  private async ensureSlice(session: HostSession, networkId: string, slice: string, lease: string): Promise<void> {
    const key = sliceKey(networkId, slice.split('/')[0]!);
    const { kvs } = await session.etcd.range(key);
    const held = kvs[0];
    if (held && held.lease === lease && (JSON.parse(held.value) as SliceRecord).host === session.host) return;
    if (held && (JSON.parse(held.value) as SliceRecord).host !== session.host) {
      throw new CtrnetError(
        'CONFLICT',
        `slice ${slice} of network ${shortId(networkId)} was reclaimed by host ${(JSON.parse(held.value) as SliceRecord).host} while this host was away; remove this host's containers on the network and its copy (ctrnet system reset)`,
      );
    }
    await session.etcd.put(key, JSON.stringify({ host: session.host } satisfies SliceRecord), lease);
  }

  private async putIfAbsent(session: HostSession, key: string, record: object, lease: string): Promise<boolean> {
    const txn = await session.etcd.txn([{ key, target: 'CREATE', result: 'EQUAL', operand: 0 }], [{ put: { key, value: JSON.stringify(record), lease } }]);
    return txn.succeeded;
  }

  private async deleteIfMine(session: HostSession, key: string): Promise<void> {
    const { kvs } = await session.etcd.range(key);
    const kv = kvs[0];
    if (kv && (JSON.parse(kv.value) as { host?: string }).host === session.host) await this.deleteIfUnchanged(session, key, kv.modRevision);
  }

  private async deleteIfUnchanged(session: HostSession, key: string, modRevision: number): Promise<void> {
    await session.etcd.txn([{ key, target: 'MOD', result: 'EQUAL', operand: modRevision }], [{ deleteRange: { key } }]);
  }

  private session(): HostSession {
    const cluster = this.settings.cluster;
    if (!cluster) {
      throw new CtrnetError('INVALID_CONFIG', 'the etcd IPAM needs a cluster: set cluster.etcd, cluster.hostName and cluster.advertiseAddress in the config file');
    }
    return hostSession(cluster, this.settings.stateDir);
  }
}

/** Run a release; while etcd does not answer, leave it to the sweep (the keys are bound to this host's lease). */
async function unlessUnreachable(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof CtrnetError && err.code === 'UNAVAILABLE')) throw err;
    debug('%s: etcd unreachable, left to the sweep', what);
  }
}

/** This host's slice, from its view of the pool. */
function sliceOf(pool: AddressPool): string {
  if (!pool.ipRange) throw new CtrnetError('INTERNAL', `pool ${pool.subnet} has no slice (ip range); was it settled by the etcd IPAM?`);
  return pool.ipRange;
}

/** `--ip` must lie in this host's slice: the only addresses the other hosts route here. */
function checkWanted(pool: AddressPool, slice: string, wanted: string, host: string): void {
  if (!isValidIpv4(wanted)) throw invalidArgument(`invalid --ip ${JSON.stringify(wanted)}: expected an IPv4 address inside this host's slice ${slice}`);
  if (!cidrContains(slice, wanted)) {
    throw invalidArgument(`--ip ${wanted} is not in host ${host}'s slice ${slice} of ${pool.subnet}; each host hands out addresses from its own slice, so pick one inside ${slice}`);
  }
  const { first, last } = cidrRange(slice);
  if ([first, last, ipToInt(pool.gateway)].includes(ipToInt(wanted))) {
    throw invalidArgument(`--ip ${wanted} is the network, broadcast or gateway address of slice ${slice}; pick another address`);
  }
}

/** Lowest address of the slice that is not its network, broadcast or gateway address and not in use. */
function lowestFree(pool: AddressPool, slice: string, used: ReadonlyMap<string, unknown>): string | undefined {
  const { first, last } = cidrRange(slice);
  const gateway = ipToInt(pool.gateway);
  for (let n = first + 1; n < last; n++) {
    if (n === gateway) continue;
    const ip = intToIp(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
