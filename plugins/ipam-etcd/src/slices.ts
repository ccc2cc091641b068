/**
 * How a cluster subnet is cut into per-host slices (flannel's subnet
 * leases, Calico's blocks): each host hands out addresses only from its own
 * slice, so routing between hosts needs one route per host, not per
 * container. The first address of a slice is that host's gateway.
 */
import { cidrRange, intToIp, invalidArgument, type AddressPool } from '@ctrnet/core';

/** The smallest subnet a pool may have: a /26 gives four /28 slices of 13 addresses each. */
const MAX_POOL_PREFIX = 26;

/**
 * The slice size of a subnet: /24 (254 containers per host) for a /20 or
 * larger, else a sixteenth of the subnet, and never smaller than a /28.
 */
export function slicePrefixOf(subnet: string): number {
  const { prefix } = cidrRange(subnet);
  if (prefix > MAX_POOL_PREFIX) {
    throw invalidArgument(`subnet ${subnet} is too small to share between hosts; give a /${MAX_POOL_PREFIX} or larger --subnet`);
  }
  return Math.min(28, Math.max(24, prefix + 4));
}

/** Network addresses of every slice of `subnet`, lowest first. */
export function* sliceAddresses(subnet: string, slicePrefix: number): Generator<string> {
  const { first, last } = cidrRange(subnet);
  const size = 2 ** (32 - slicePrefix);
  for (let n = first; n + size - 1 <= last; n += size) yield intToIp(n);
}

/** The pool a host sees: the cluster subnet, its own slice as the range, the slice's first address as gateway. */
export function hostPool(subnet: string, sliceAddress: string, slicePrefix: number): AddressPool {
  const slice = `${sliceAddress}/${slicePrefix}`;
  return { subnet, ipRange: slice, gateway: intToIp(cidrRange(slice).first + 1) };
}
