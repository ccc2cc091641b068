/**
 * Choosing a free address. Runs inside the address book's write
 * transaction, so it must be quick: it walks from the bottom of the range
 * and stops at the first address not in use, never building the range (an
 * IPv6 /64 has 2^64 addresses).
 */
import type { AddressPool } from '@ctrnet/core';
import { bigIntToIpv6, cidr6Range, cidrRange, intToIp, ipToInt, ipv6ToBigInt } from '@ctrnet/core';

/**
 * The lowest address of the pool's ip-range (or whole subnet) that is not in
 * `used` and is not reserved: the subnet's network and broadcast addresses
 * (IPv4), its subnet-router anycast address (IPv6), and the gateway.
 * Undefined when every one is taken.
 *
 * Each step either returns or skips a used or reserved address, so the walk
 * takes at most `used.size + 3` steps whatever the size of the subnet.
 */
export function lowestFreeAddress(pool: AddressPool, used: ReadonlySet<string>): string | undefined {
  if (pool.subnet.includes(':')) {
    const subnet = cidr6Range(pool.subnet);
    const range = cidr6Range(pool.ipRange ?? pool.subnet);
    return walk(range.first, range.last, new Set([subnet.first, ipv6ToBigInt(pool.gateway)]), bigIntToIpv6, used);
  }
  const subnet = cidrRange(pool.subnet);
  const range = cidrRange(pool.ipRange ?? pool.subnet);
  const reserved = new Set([subnet.first, subnet.last, ipToInt(pool.gateway)].map(BigInt));
  return walk(BigInt(range.first), BigInt(range.last), reserved, (n) => intToIp(Number(n)), used);
}

function walk(first: bigint, last: bigint, reserved: ReadonlySet<bigint>, text: (n: bigint) => string, used: ReadonlySet<string>): string | undefined {
  for (let n = first; n <= last; n++) {
    if (reserved.has(n)) continue;
    const ip = text(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
