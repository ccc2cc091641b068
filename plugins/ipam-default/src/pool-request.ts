/**
 * Validation of a pool request (`--subnet`, `--ip-range`, `--gateway`) and
 * of a static address (`--ip`). Pure: every check runs before any state is
 * touched, and every error names the bad value and a valid alternative.
 */
import type { AddressPool } from '@ctrnet/core';
import { cidrContains, cidrRange, cidrWithin, intToIp, ipToInt, invalidArgument, isValidCidr, isValidIpv4, networkOf } from '@ctrnet/core';

/**
 * Longest prefix a subnet may have: a /30 holds network, gateway, one
 * container and broadcast; a /31 or /32 has no room for a container.
 */
export const MAX_SUBNET_PREFIX = 30;

/** Throw unless `value` is an IPv4 CIDR written as its network address. */
export function checkNetworkCidr(what: 'subnet' | 'ip-range', value: string): void {
  if (!isValidCidr(value)) {
    throw invalidArgument(`invalid ${what} "${value}": expected an IPv4 CIDR such as 172.28.0.0/16`);
  }
  const network = networkOf(value);
  if (network !== value) {
    throw invalidArgument(`invalid ${what} "${value}": it is not a network address (host bits are set); did you mean ${network}?`);
  }
}

/** The usable span of a subnet (without network and broadcast addresses), for messages. */
function usableSpan(subnet: string): string {
  const { first, last } = cidrRange(subnet);
  return `${intToIp(first + 1)} to ${intToIp(last - 1)}`;
}

/**
 * Check a request that names its subnet and settle the pool: the gateway
 * defaults to the subnet's first usable address, like Docker's.
 */
export function settlePool(subnet: string, ipRange?: string, gateway?: string): AddressPool {
  checkNetworkCidr('subnet', subnet);
  const { first, last, prefix } = cidrRange(subnet);
  if (prefix > MAX_SUBNET_PREFIX) {
    throw invalidArgument(
      `invalid subnet "${subnet}": a /${prefix} has no room for a gateway and a container; use a prefix of /${MAX_SUBNET_PREFIX} or shorter, e.g. ${networkOf(`${intToIp(first)}/24`)}`,
    );
  }
  if (ipRange !== undefined) {
    checkNetworkCidr('ip-range', ipRange);
    if (!cidrWithin(ipRange, subnet)) {
      throw invalidArgument(`invalid ip-range "${ipRange}": it is not inside subnet ${subnet}; use a range within ${subnet}, or leave it out to use the whole subnet`);
    }
  }
  if (gateway === undefined) return { subnet, ...(ipRange === undefined ? {} : { ipRange }), gateway: intToIp(first + 1) };
  if (!isValidIpv4(gateway)) {
    throw invalidArgument(`invalid gateway "${gateway}": expected an IPv4 address in subnet ${subnet} (${usableSpan(subnet)})`);
  }
  if (!cidrContains(subnet, gateway)) {
    throw invalidArgument(`invalid gateway "${gateway}": it is not inside subnet ${subnet}; use an address from ${usableSpan(subnet)}`);
  }
  const g = ipToInt(gateway);
  if (g === first || g === last) {
    const role = g === first ? 'network' : 'broadcast';
    throw invalidArgument(`invalid gateway "${gateway}": it is the ${role} address of subnet ${subnet}; use an address from ${usableSpan(subnet)}`);
  }
  return { subnet, ...(ipRange === undefined ? {} : { ipRange }), gateway };
}

/**
 * Throw unless `wanted` may be given to a container of `pool`. Like Docker,
 * a static address need only lie in the subnet, not in the ip-range: keeping
 * static addresses outside the range is how users stop them clashing with
 * allocated ones.
 */
export function checkWantedAddress(pool: AddressPool, wanted: string): void {
  const { subnet, gateway } = pool;
  if (!isValidIpv4(wanted)) {
    throw invalidArgument(`invalid IP address "${wanted}": expected an IPv4 address in subnet ${subnet} (${usableSpan(subnet)})`);
  }
  if (!cidrContains(subnet, wanted)) {
    throw invalidArgument(`IP address ${wanted} is not inside the network's subnet ${subnet}; use an address from ${usableSpan(subnet)}`);
  }
  const { first, last } = cidrRange(subnet);
  const n = ipToInt(wanted);
  if (n === first || n === last) {
    const role = n === first ? 'network' : 'broadcast';
    throw invalidArgument(`IP address ${wanted} is the ${role} address of subnet ${subnet}; use an address from ${usableSpan(subnet)}`);
  }
  if (wanted === gateway) {
    throw invalidArgument(`IP address ${wanted} is the gateway of subnet ${subnet}; use another address from ${usableSpan(subnet)}`);
  }
}
