/**
 * Choosing a free address. Runs inside the address book's write
 * transaction, so it must be quick: it walks integers from the bottom of the
 * range and stops at the first one not in use, never building the range.
 */
import type { AddressPool } from '@ctrnet/core';
import { cidrRange, intToIp, ipToInt } from '@ctrnet/core';

/**
 * The lowest address of the pool's ip-range (or whole subnet) that is not in
 * `used` and is not the subnet's network, broadcast or gateway address.
 * Undefined when every one is taken.
 *
 * Each step either returns or skips a used or reserved address, so the walk
 * takes at most `used.size + 4` steps whatever the size of the subnet.
 */
export function lowestFreeAddress(pool: AddressPool, used: ReadonlySet<string>): string | undefined {
  const subnet = cidrRange(pool.subnet);
  const range = cidrRange(pool.ipRange ?? pool.subnet);
  const reserved = new Set([subnet.first, subnet.last, ipToInt(pool.gateway)]);
  for (let n = range.first; n <= range.last; n++) {
    if (reserved.has(n)) continue;
    const ip = intToIp(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
