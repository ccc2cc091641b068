/**
 * IPv6 addresses as strings and 128-bit BigInts; dependency-free, so the
 * thin CLI client can parse flags with it. Every address ctrnet stores,
 * compares or hands to a plugin is in the canonical text form of RFC 5952
 * (lower case, the longest run of two or more zero groups shortened to
 * `::`), so two spellings of one address never count as two addresses.
 */
import { isIPv6 } from 'node:net';
import { ipToInt, isValidIpv4 } from './ipv4.js';

/** The number of bits in an IPv6 address. */
export const IPV6_BITS = 128;

/** An IPv6 address without a zone id (`fe80::1%eth0` is refused, as Go's net.ParseIP does). */
export function isValidIpv6(value: string): boolean {
  return isIPv6(value) && !value.includes('%');
}

/** The address as a number. The caller has checked it with {@link isValidIpv6}. */
export function ipv6ToBigInt(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (text: string): number[] => {
    if (text === '') return [];
    const parts = text.split(':');
    const last = parts[parts.length - 1]!;
    // An embedded IPv4 address (::ffff:10.0.0.1) stands for the last two groups.
    if (isValidIpv4(last)) {
      const n = ipToInt(last);
      return [...parts.slice(0, -1).map((p) => parseInt(p, 16)), n >>> 16, n & 0xffff];
    }
    return parts.map((p) => parseInt(p, 16));
  };
  const left = groups(head!);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** The canonical text of an address (RFC 5952), pure hex groups. */
export function bigIntToIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  // The longest run of zero groups, the first one on a tie; a single zero group is not shortened.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** An address in canonical form (`FD00:0::0001` → `fd00::1`). The caller has checked it with {@link isValidIpv6}. */
export function canonicalIpv6(ip: string): string {
  return bigIntToIpv6(ipv6ToBigInt(ip));
}

/** 4 or 6 for a valid address of that family, undefined otherwise. */
export function ipFamily(ip: string): 4 | 6 | undefined {
  if (isValidIpv4(ip)) return 4;
  if (isValidIpv6(ip)) return 6;
  return undefined;
}
