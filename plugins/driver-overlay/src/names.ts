/**
 * Names of the kernel objects the overlay driver makes on each host, and the
 * wire constants every host must agree on. gc finds the driver's objects by
 * these names, and hosts of different versions must interoperate: never
 * change them; add new ones.
 */

/** Prefix of a network's local bridge: `ovb-` + 11 hex chars of the network id (the same on every host). */
export const BRIDGE_PREFIX = 'ovb-';

/** Prefix of a network's VXLAN device: `ovx-` + 11 hex chars of the network id. */
export const VXLAN_PREFIX = 'ovx-';

/** Prefix of host-side veth ends: `vo` + 13 hex chars of the endpoint id (15 is the kernel's limit). */
export const VETH_PREFIX = 'vo';

/**
 * UDP port of the VXLAN tunnels: IANA's 4789 (RFC 7348), as Docker's swarm
 * overlay uses; flannel keeps Linux's historic 8472. Every host of a cluster
 * must use the same.
 */
export const VXLAN_PORT = 4789;

/** VXLAN headers: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
export const VXLAN_OVERHEAD = 50;

/**
 * The VXLAN id a network asks for first, derived from its id so planning
 * stays pure; the cluster claim moves it to a free one if another network
 * holds it (24 bits; 0 is reserved).
 */
export function preferredVni(networkId: string): number {
  return (parseInt(networkId.slice(0, 6), 16) % (2 ** 24 - 1)) + 1;
}

export const bridgeNameFor = (networkId: string) => BRIDGE_PREFIX + networkId.slice(0, 11);
export const vxlanNameFor = (networkId: string) => VXLAN_PREFIX + networkId.slice(0, 11);
export const vethNameFor = (endpointId: string) => VETH_PREFIX + endpointId.slice(0, 13);

/** Whether an interface name is one of this driver's host-side veth ends. */
export function isOurVeth(name: string): boolean {
  return new RegExp(`^${VETH_PREFIX}[0-9a-f]{13}$`).test(name);
}
