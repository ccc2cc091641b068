/**
 * Choosing a free address. Runs inside the address book's write
 * transaction, so it must be quick whatever the number of addresses in use:
 * it never reads them all. The address book keeps a cursor per pool and
 * family: every address of the range below it is in use or reserved. A pick
 * walks up from the cursor (or, without one, from the bottom of the range),
 * looking candidates up in batches, and leaves the cursor just above what
 * it took; a release lowers it to the address given back. So the common
 * picks (the next address up, or one just given back) cost one lookup; a
 * walk is only as long as the run of used addresses it has to cross, once.
 */
import type { AddressesInUse, AddressPool, Picked } from '@ctrnet/core';
import { bigIntToIpv6, cidr6Range, cidrRange, intToIp, ipToInt, ipv6ToBigInt } from '@ctrnet/core';

/** Candidates looked up per query: one round trip to SQLite covers a run of this many used addresses. */
const BATCH = 64;

/** A pool's range as numbers, with the reserved ones, and how to print and read its addresses. */
interface Range {
  first: bigint;
  last: bigint;
  reserved: ReadonlySet<bigint>;
  text(n: bigint): string;
  value(ip: string): bigint | undefined;
}

/**
 * The lowest address of the pool's ip-range (or whole subnet) that is not in
 * use and is not reserved: the subnet's network and broadcast addresses
 * (IPv4), its subnet-router anycast address (IPv6), and the gateway. Comes
 * with the cursor to keep (the address after it). Undefined when every one
 * is taken.
 */
export function lowestFreeAddress(pool: AddressPool, inUse: AddressesInUse): Picked | undefined {
  const range = rangeOf(pool);
  const cursor = inUse.cursor === undefined ? undefined : range.value(inUse.cursor);
  let n = cursor !== undefined && cursor > range.first ? cursor : range.first;
  while (n <= range.last) {
    const batch: string[] = [];
    for (; n <= range.last && batch.length < BATCH; n++) if (!range.reserved.has(n)) batch.push(range.text(n));
    const used = inUse.usedAmong(batch);
    const free = batch.find((ip) => !used.has(ip));
    // Just above the address taken; at the range's end, on it (taken, so a later walk finds the pool full at once).
    if (free !== undefined) return { address: free, cursor: range.text(min(range.value(free)! + 1n, range.last)) };
  }
  return undefined;
}

/** The cursor to keep once `address` is given back: never above it. */
export function cursorAfterRelease(pool: AddressPool, address: string, current: string | undefined): string | undefined {
  if (current === undefined) return undefined;
  const range = rangeOf(pool);
  const released = range.value(address);
  const at = range.value(current);
  if (released === undefined || at === undefined) return undefined;
  return released < at ? address : current;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function rangeOf(pool: AddressPool): Range {
  if (pool.subnet.includes(':')) {
    const subnet = cidr6Range(pool.subnet);
    const range = cidr6Range(pool.ipRange ?? pool.subnet);
    return { first: range.first, last: range.last, reserved: new Set([subnet.first, ipv6ToBigInt(pool.gateway)]), text: bigIntToIpv6, value: parseOr(ipv6ToBigInt) };
  }
  const subnet = cidrRange(pool.subnet);
  const range = cidrRange(pool.ipRange ?? pool.subnet);
  return {
    first: BigInt(range.first),
    last: BigInt(range.last),
    reserved: new Set([subnet.first, subnet.last, ipToInt(pool.gateway)].map(BigInt)),
    text: (n) => intToIp(Number(n)),
    value: parseOr((ip) => BigInt(ipToInt(ip))),
  };
}

/** A parser that answers undefined for what it cannot read (a cursor written by another version). */
function parseOr(parse: (ip: string) => bigint): (ip: string) => bigint | undefined {
  return (ip) => {
    try {
      return parse(ip);
    } catch {
      return undefined;
    }
  };
}
