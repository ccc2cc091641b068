/**
 * Names of the kernel objects the bridge driver makes. They are part of the
 * contract with state an older version left behind: gc and reset find the
 * driver's bridges and veths by them. Never change them; add new ones.
 */

/** Linux bridge of the installation's default network (Docker's docker0). */
export const DEFAULT_BRIDGE = 'ctrnet0';

/** Prefix of bridges of user-defined networks: `ctr-` + 11 hex chars of the network id. */
export const BRIDGE_PREFIX = 'ctr-';

/** Prefix of host-side veth ends: `vc` + 13 hex chars of the endpoint id (15 is the kernel's limit). */
export const VETH_PREFIX = 'vc';

/** Host-side veth name of an endpoint. */
export function vethNameFor(endpointId: string): string {
  return VETH_PREFIX + endpointId.slice(0, 13);
}

/** Whether an interface name is one of this driver's host-side veth ends. */
export function isOurVeth(name: string): boolean {
  return new RegExp(`^${VETH_PREFIX}[0-9a-f]{13}$`).test(name);
}
