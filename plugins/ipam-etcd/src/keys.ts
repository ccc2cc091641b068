/**
 * The etcd key layout shared by ctrnet's cluster plugins. It is the contract
 * between hosts running different ctrnet versions: never change a key's
 * meaning; add new keys (or a new `/ctrnet/v2/` root) instead.
 *
 * Keys bound to a host's lease vanish when the host stops renewing it: that
 * is how a dead host's slices, addresses and tunnel endpoints come back.
 */

/** Root of everything ctrnet keeps in etcd. */
export const ROOT = '/ctrnet/v1/';

/** `hosts/<host>` → {@link HostRecord} (lease): the cluster's live hosts. */
export const HOSTS = `${ROOT}hosts/`;

/** `ipam/pools/<network id>` → {@link PoolRecord}: a network's cluster-wide subnet. */
export const POOLS = `${ROOT}ipam/pools/`;

/** `ipam/slices/<network id>/<slice address>` → {@link SliceRecord} (lease): the block a host hands addresses out of. */
export const SLICES = `${ROOT}ipam/slices/`;

/** `ipam/addresses/<network id>/<address>` → {@link AddressRecord} (lease): one address in use. */
export const ADDRESSES = `${ROOT}ipam/addresses/`;

export interface HostRecord {
  host: string;
  advertiseAddress: string;
  /** ISO time the lease was granted. */
  since: string;
}

export interface PoolRecord {
  subnet: string;
  /** Prefix length of each host's slice. */
  slicePrefix: number;
}

export interface SliceRecord {
  host: string;
}

export interface AddressRecord {
  host: string;
  /** Container id that holds it. */
  owner: string;
}

export const hostKey = (host: string) => HOSTS + host;
export const poolKey = (networkId: string) => POOLS + networkId;
export const slicesOf = (networkId: string) => `${SLICES}${networkId}/`;
export const sliceKey = (networkId: string, sliceAddress: string) => slicesOf(networkId) + sliceAddress;
export const addressesOf = (networkId: string) => `${ADDRESSES}${networkId}/`;
export const addressKey = (networkId: string, address: string) => addressesOf(networkId) + address;

/** The last path part of a key (the host, the address). */
export const lastPart = (key: string) => key.slice(key.lastIndexOf('/') + 1);
