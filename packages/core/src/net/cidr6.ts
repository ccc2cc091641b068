/**
 * IPv6 prefix math on 128-bit BigInts, the counterpart of cidr.ts's IPv4
 * integer helpers. Dependency-free, like ipv6.ts.
 */
import { IPV6_BITS, bigIntToIpv6, ipv6ToBigInt, isValidIpv6 } from './ipv6.js';

/** A valid IPv6 prefix (`fd00::/64`). Host bits may be set: compare with {@link networkOf6} to require a network address. */
export function isValidCidr6(value: string): boolean {
  const [addr, len, extra] = value.split('/');
  return extra === undefined && addr !== undefined && isValidIpv6(addr) && len !== undefined && /^\d{1,3}$/.test(len) && Number(len) <= IPV6_BITS;
}

/** First and last address of a prefix, plus the prefix length. */
export function cidr6Range(cidr: string): { first: bigint; last: bigint; prefix: number } {
  const [addr, len] = cidr.split('/');
  const prefix = Number(len);
  const hostBits = BigInt(IPV6_BITS - prefix);
  const first = (ipv6ToBigInt(addr!) >> hostBits) << hostBits;
  return { first, last: first + (1n << hostBits) - 1n, prefix };
}

/** The prefix with its host bits cleared, in canonical form (`FD00::5/64` → `fd00::/64`). */
export function networkOf6(cidr: string): string {
  const { first, prefix } = cidr6Range(cidr);
  return `${bigIntToIpv6(first)}/${prefix}`;
}

export function cidr6Contains(cidr: string, ip: string): boolean {
  const { first, last } = cidr6Range(cidr);
  const n = ipv6ToBigInt(ip);
  return n >= first && n <= last;
}

/** `inner` lies entirely within `outer`. */
export function cidr6Within(inner: string, outer: string): boolean {
  const a = cidr6Range(inner);
  const b = cidr6Range(outer);
  return a.first >= b.first && a.last <= b.last;
}

export function cidrs6Overlap(a: string, b: string): boolean {
  const x = cidr6Range(a);
  const y = cidr6Range(b);
  return x.first <= y.last && y.first <= x.last;
}
