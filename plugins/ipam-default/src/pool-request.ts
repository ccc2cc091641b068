/**
 * Validation of a pool request (`--subnet`, `--ip-range`, `--gateway`) and
 * of a static address (`--ip`, `--ip6`), for either family. Pure: every
 * check runs before any state is touched, and every error names the bad
 * value and a valid alternative. IPv6 values come back in canonical form.
 */
import type { AddressPool } from '@ctrnet/core';
import {
  bigIntToIpv6,
  canonicalIpv6,
  cidr6Range,
  cidrContains,
  cidrRange,
  cidrWithin,
  intToIp,
  invalidArgument,
  ipToInt,
  ipv6ToBigInt,
  isValidCidr,
  isValidCidr6,
  isValidIpv4,
  isValidIpv6,
  networkOf,
} from '@ctrnet/core';

/**
 * Longest prefix a subnet may have, per family: an IPv4 /30 holds network,
 * gateway, one container and broadcast; an IPv6 /126 holds the
 * subnet-router anycast address, the gateway and two containers.
 */
export const MAX_SUBNET_PREFIX = { 4: 30, 6: 126 } as const;

type Family = 4 | 6;

const EXAMPLE = { 4: '172.28.0.0/16', 6: 'fd00:28::/64' } as const;

/** The reserved addresses of a subnet, as numbers: network and broadcast (IPv4), the subnet-router anycast address (IPv6). */
function reserved(subnet: string, family: Family): { first: bigint; last: bigint; taken: bigint[] } {
  if (family === 6) {
    const { first, last } = cidr6Range(subnet);
    return { first, last, taken: [first] };
  }
  const { first, last } = cidrRange(subnet);
  return { first: BigInt(first), last: BigInt(last), taken: [BigInt(first), BigInt(last)] };
}

const toNumber = (ip: string, family: Family): bigint => (family === 6 ? ipv6ToBigInt(ip) : BigInt(ipToInt(ip)));
const toText = (n: bigint, family: Family): string => (family === 6 ? bigIntToIpv6(n) : intToIp(Number(n)));

/** Throw unless `value` is a CIDR of the family written as its network address; returns it canonical. */
export function checkNetworkCidr(what: 'subnet' | 'ip-range', value: string, family: Family = 4): string {
  const valid = family === 6 ? isValidCidr6(value) : isValidCidr(value);
  if (!valid) {
    const other = family === 6 ? isValidCidr(value) : isValidCidr6(value);
    const hint = other ? `; it is an IPv${family === 6 ? 4 : 6} CIDR, give it for the other family` : '';
    throw invalidArgument(`invalid ${what} "${value}": expected an IPv${family} CIDR such as ${EXAMPLE[family]}${hint}`);
  }
  const network = networkOf(value);
  const hostBits = family === 6 ? toNumber(value.split('/')[0]!, 6) !== cidr6Range(value).first : network !== value;
  if (hostBits) throw invalidArgument(`invalid ${what} "${value}": it is not a network address (host bits are set); did you mean ${network}?`);
  return network;
}

/** The usable span of a subnet, for messages. */
function usableSpan(subnet: string, family: Family): string {
  const { first, last } = reserved(subnet, family);
  return `${toText(first + 1n, family)} to ${toText(family === 6 ? last : last - 1n, family)}`;
}

/**
 * Check a request that names its subnet and settle the pool: the gateway
 * defaults to the subnet's first address after the network (or anycast)
 * address, like Docker's.
 */
export function settlePool(subnet: string, ipRange?: string, gateway?: string, family: Family = 4): AddressPool {
  const canonical = checkNetworkCidr('subnet', subnet, family);
  const { first, taken } = reserved(canonical, family);
  const prefix = Number(canonical.split('/')[1]);
  if (prefix > MAX_SUBNET_PREFIX[family]) {
    const shorter = family === 6 ? networkOf(`${toText(first, 6)}/64`) : networkOf(`${toText(first, 4)}/24`);
    throw invalidArgument(
      `invalid subnet "${subnet}": a /${prefix} has no room for a gateway and a container; use a prefix of /${MAX_SUBNET_PREFIX[family]} or shorter, e.g. ${shorter}`,
    );
  }
  let range: string | undefined;
  if (ipRange !== undefined) {
    range = checkNetworkCidr('ip-range', ipRange, family);
    if (!cidrWithin(range, canonical)) {
      throw invalidArgument(`invalid ip-range "${ipRange}": it is not inside subnet ${canonical}; use a range within ${canonical}, or leave it out to use the whole subnet`);
    }
  }
  const withRange = (gw: string): AddressPool => ({ subnet: canonical, ...(range === undefined ? {} : { ipRange: range }), gateway: gw });
  if (gateway === undefined) return withRange(toText(first + 1n, family));
  const valid = family === 6 ? isValidIpv6(gateway) : isValidIpv4(gateway);
  if (!valid) {
    throw invalidArgument(`invalid gateway "${gateway}": expected an IPv${family} address in subnet ${canonical} (${usableSpan(canonical, family)})`);
  }
  const gw = family === 6 ? canonicalIpv6(gateway) : gateway;
  if (!cidrContains(canonical, gw)) {
    throw invalidArgument(`invalid gateway "${gateway}": it is not inside subnet ${canonical}; use an address from ${usableSpan(canonical, family)}`);
  }
  const g = toNumber(gw, family);
  if (taken.includes(g)) {
    throw invalidArgument(`invalid gateway "${gateway}": it is the ${roleOf(g, first, family)} address of subnet ${canonical}; use an address from ${usableSpan(canonical, family)}`);
  }
  return withRange(gw);
}

function roleOf(n: bigint, first: bigint, family: Family): string {
  if (family === 6) return 'subnet-router anycast';
  return n === first ? 'network' : 'broadcast';
}

/**
 * Throw unless `wanted` may be given to a container of `pool`; returns it
 * canonical. Like Docker, a static address need only lie in the subnet, not
 * in the ip-range: keeping static addresses outside the range is how users
 * stop them clashing with allocated ones.
 */
export function checkWantedAddress(pool: AddressPool, wanted: string): string {
  const { subnet, gateway } = pool;
  const family: Family = subnet.includes(':') ? 6 : 4;
  const valid = family === 6 ? isValidIpv6(wanted) : isValidIpv4(wanted);
  if (!valid) {
    throw invalidArgument(`invalid IP address "${wanted}": expected an IPv${family} address in subnet ${subnet} (${usableSpan(subnet, family)})`);
  }
  const address = family === 6 ? canonicalIpv6(wanted) : wanted;
  if (!cidrContains(subnet, address)) {
    throw invalidArgument(`IP address ${wanted} is not inside the network's subnet ${subnet}; use an address from ${usableSpan(subnet, family)}`);
  }
  const { first, taken } = reserved(subnet, family);
  const n = toNumber(address, family);
  if (taken.includes(n)) {
    throw invalidArgument(`IP address ${wanted} is the ${roleOf(n, first, family)} address of subnet ${subnet}; use an address from ${usableSpan(subnet, family)}`);
  }
  if (address === gateway) {
    throw invalidArgument(`IP address ${wanted} is the gateway of subnet ${subnet}; use another address from ${usableSpan(subnet, family)}`);
  }
  return address;
}
