/**
 * The overlay's keys in etcd, beside the IPAM's (see @ctrnet/ipam-etcd's
 * keys.ts for the shared root and the lease rules):
 *
 * - `overlay/networks/<name>` → {@link NetworkDefinition}: the network, once for the cluster.
 * - `overlay/vnis/<vni>` → network id: who holds a VXLAN id.
 * - `overlay/vteps/<network id>/<host>` → {@link RemoteSide} (lease): a host's tunnel endpoint.
 */
import { CtrnetError, type Network } from '@ctrnet/core';
import { ROOT, lastPart, networkAddresses, type HostSession } from '@ctrnet/ipam-etcd';
import type { RemoteSide } from './commands.js';

export const OVERLAY = `${ROOT}overlay/`;
export const NETWORKS = `${OVERLAY}networks/`;
export const VNIS = `${OVERLAY}vnis/`;
export const VTEPS = `${OVERLAY}vteps/`;

export const networkKey = (name: string) => NETWORKS + name;
export const vniKey = (vni: number) => VNIS + String(vni);
export const vtepsOf = (networkId: string) => `${VTEPS}${networkId}/`;
export const vtepKey = (networkId: string, host: string) => vtepsOf(networkId) + host;

/** VXLAN ids handed out: 24 bits, 0 reserved. */
const FIRST_VNI = 1;
const LAST_VNI = 2 ** 24 - 1;
const TXN_ATTEMPTS = 20;

/** A network as the cluster defines it: the row every host imports, and the subnet it asks IPAM for. */
export interface NetworkDefinition {
  network: Omit<Network, 'pool'>;
  subnet?: string;
  /** Host that created it. */
  createdOn: string;
}

export async function listDefinitions(session: HostSession): Promise<NetworkDefinition[]> {
  return (await session.etcd.prefix(NETWORKS)).kvs.map((kv) => JSON.parse(kv.value) as NetworkDefinition);
}

/**
 * Put a network's definition and its VNI in one transaction that succeeds
 * only if neither key exists: of two hosts creating one name, one wins.
 */
export async function claimDefinition(session: HostSession, network: Network, subnet: string | undefined): Promise<Network> {
  for (let attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
    const [{ kvs: names }, { kvs: vnis }] = await Promise.all([session.etcd.range(networkKey(network.name)), session.etcd.prefix(VNIS)]);
    if (names[0]) {
      const held = JSON.parse(names[0].value) as NetworkDefinition;
      throw new CtrnetError('CONFLICT', `network "${network.name}" already exists in the cluster (created on host ${held.createdOn}); pick another name, or use it as it is`);
    }
    const used = new Set(vnis.map((kv) => Number(lastPart(kv.key))));
    let vni = Number(network.driverData.vni) || FIRST_VNI;
    if (used.has(vni)) for (vni = FIRST_VNI; used.has(vni) && vni <= LAST_VNI; ) vni++;
    if (vni > LAST_VNI) throw new CtrnetError('EXHAUSTED', 'every VXLAN id of the cluster is in use; remove an overlay network');
    const defined: Network = { ...network, driverData: { ...network.driverData, vni: String(vni) } };
    const { pool: _pool, ...row } = defined;
    const definition: NetworkDefinition = { network: row, subnet, createdOn: session.host };
    const txn = await session.etcd.txn(
      [
        { key: networkKey(network.name), target: 'CREATE', result: 'EQUAL', operand: 0 },
        { key: vniKey(vni), target: 'CREATE', result: 'EQUAL', operand: 0 },
      ],
      [{ put: { key: networkKey(network.name), value: JSON.stringify(definition) } }, { put: { key: vniKey(vni), value: network.id } }],
    );
    if (txn.succeeded) return defined;
  }
  throw new CtrnetError('CONFLICT', `could not create network "${network.name}" in the cluster: too many concurrent changes; try again`);
}

/** Delete a network's definition and VNI, refused while another host has containers on it. Idempotent. */
export async function releaseDefinition(session: HostSession, network: Network): Promise<void> {
  const elsewhere = [...(await networkAddresses(session, network.id)).values()].filter((a) => a.host !== session.host);
  if (elsewhere.length) {
    const hosts = [...new Set(elsewhere.map((a) => a.host))].join(', ');
    throw new CtrnetError('INVALID_STATE', `network ${network.name} has containers on host ${hosts}; remove them there first`);
  }
  const { kvs } = await session.etcd.range(networkKey(network.name));
  const held = kvs[0];
  if (!held || (JSON.parse(held.value) as NetworkDefinition).network.id !== network.id) return;
  await session.etcd.txn(
    [{ key: held.key, target: 'MOD', result: 'EQUAL', operand: held.modRevision }],
    [{ deleteRange: { key: held.key } }, { deleteRange: { key: vniKey(Number(network.driverData.vni)) } }],
  );
}

/** Every host's tunnel endpoint of a network, by host. */
export async function listVteps(session: HostSession, networkId: string): Promise<Map<string, RemoteSide>> {
  const { kvs } = await session.etcd.prefix(vtepsOf(networkId));
  return new Map(kvs.map((kv) => [lastPart(kv.key), JSON.parse(kv.value) as RemoteSide]));
}

export async function putVtep(session: HostSession, networkId: string, side: RemoteSide): Promise<void> {
  await session.etcd.put(vtepKey(networkId, session.host), JSON.stringify(side), await session.lease());
}

export async function deleteVtep(session: HostSession, networkId: string): Promise<void> {
  await session.etcd.deleteRange(vtepKey(networkId, session.host));
}
