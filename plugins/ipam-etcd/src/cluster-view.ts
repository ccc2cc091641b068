/**
 * What drivers that use the etcd IPAM read of it and re-claim through it:
 * the hosts, a network's slices and addresses, and (after a restart or a
 * lapsed lease) the re-binding of what this host still uses.
 */
import type { AddressPool, Endpoint } from '@ctrnet/core';
import type { HostSession } from './host-session.js';
import { ADDRESSES, addressesOf, addressKey, HOSTS, lastPart, SLICES, sliceKey, slicesOf, type AddressRecord, type HostRecord, type SliceRecord } from './keys.js';

/** Every live host of the cluster. */
export async function clusterHosts(session: HostSession): Promise<HostRecord[]> {
  return (await session.etcd.prefix(HOSTS)).kvs.map((kv) => JSON.parse(kv.value) as HostRecord);
}

/** A network's slices, by slice address, with the host holding each. */
export async function networkSlices(session: HostSession, networkId: string): Promise<Map<string, string>> {
  const { kvs } = await session.etcd.prefix(slicesOf(networkId));
  return new Map(kvs.map((kv) => [lastPart(kv.key), (JSON.parse(kv.value) as SliceRecord).host]));
}

/** A network's addresses in use, by address. */
export async function networkAddresses(session: HostSession, networkId: string): Promise<Map<string, AddressRecord>> {
  const { kvs } = await session.etcd.prefix(addressesOf(networkId));
  return new Map(kvs.map((kv) => [lastPart(kv.key), JSON.parse(kv.value) as AddressRecord]));
}

/**
 * Make etcd hold what this host uses of a network, bound to its current
 * lease: its slice and the address of each local endpoint. Addresses etcd
 * has for this host that no endpoint owns (a crash between claim and join)
 * are released. A slice or address another host took meanwhile is reported,
 * not taken back. Returns one line per thing fixed.
 */
export async function reclaimNetwork(session: HostSession, networkId: string, pool: AddressPool, endpoints: readonly Endpoint[]): Promise<string[]> {
  const fixed: string[] = [];
  const lease = await session.lease();
  const short = networkId.slice(0, 12);
  if (pool.ipRange) {
    const slice = pool.ipRange.split('/')[0]!;
    const holder = (await networkSlices(session, networkId)).get(slice);
    const { kvs } = await session.etcd.range(sliceKey(networkId, slice));
    if (holder && holder !== session.host) fixed.push(`slice ${pool.ipRange} of network ${short} is held by host ${holder}; this host's containers there clash with it`);
    else if (!holder || kvs[0]?.lease !== lease) {
      await session.etcd.put(sliceKey(networkId, slice), JSON.stringify({ host: session.host } satisfies SliceRecord), lease);
      if (!holder) fixed.push(`re-claimed slice ${pool.ipRange} of network ${short}`);
    }
  }
  const { kvs } = await session.etcd.prefix(addressesOf(networkId));
  const held = new Map(kvs.map((kv) => [lastPart(kv.key), { kv, record: JSON.parse(kv.value) as AddressRecord }]));
  for (const endpoint of endpoints) {
    if (!endpoint.ipv4) continue;
    const entry = held.get(endpoint.ipv4);
    if (entry && entry.record.host !== session.host) {
      fixed.push(`address ${endpoint.ipv4} of network ${short} is held by host ${entry.record.host}; container ${endpoint.containerId.slice(0, 12)} clashes with it`);
      continue;
    }
    if (entry?.kv.lease === lease) continue;
    const record: AddressRecord = { host: session.host, owner: endpoint.containerId };
    await session.etcd.put(addressKey(networkId, endpoint.ipv4), JSON.stringify(record), lease);
    if (!entry) fixed.push(`re-claimed address ${endpoint.ipv4} of network ${short}`);
  }
  const owned = new Set(endpoints.map((e) => e.ipv4));
  for (const [address, { kv, record }] of held) {
    if (record.host !== session.host || owned.has(address)) continue;
    await session.etcd.txn([{ key: kv.key, target: 'MOD', result: 'EQUAL', operand: kv.modRevision }], [{ deleteRange: { key: kv.key } }]);
    fixed.push(`released address ${address} of network ${short} (no container here holds it)`);
  }
  return fixed;
}

/**
 * Keys of this host in etcd for networks the host no longer holds: what a
 * release left behind while etcd was down. Returns them with the revision
 * each was last written at, so a caller can wait before deleting (a network
 * being imported holds its slice a moment before its row is stored).
 */
export async function strayKeys(session: HostSession, localNetworkIds: ReadonlySet<string>): Promise<Map<string, number>> {
  const stray = new Map<string, number>();
  for (const prefix of [SLICES, ADDRESSES]) {
    for (const kv of (await session.etcd.prefix(prefix)).kvs) {
      const networkId = kv.key.slice(prefix.length).split('/')[0]!;
      if (!localNetworkIds.has(networkId) && (JSON.parse(kv.value) as { host?: string }).host === session.host) stray.set(kv.key, kv.modRevision);
    }
  }
  return stray;
}

/** Delete keys unchanged since `strayKeys` listed them. */
export async function deleteStray(session: HostSession, keys: ReadonlyMap<string, number>): Promise<void> {
  for (const [key, modRevision] of keys) {
    await session.etcd.txn([{ key, target: 'MOD', result: 'EQUAL', operand: modRevision }], [{ deleteRange: { key } }]);
  }
}
