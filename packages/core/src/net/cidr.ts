/**
 * Prefix math for both families. IPv4 runs on plain numbers (ip-cidr only
 * parses and validates); IPv6 on BigInts (cidr6.ts). The family-neutral
 * helpers (`networkOf`, `cidrContains`, `cidrWithin`, `cidrsOverlap`) take
 * either family: an address or prefix of the other family is never inside
 * and never overlaps, so a dual-stack network's pools never clash.
 */
import IPCIDR from 'ip-cidr';
import { cidr6Contains, cidr6Within, cidrs6Overlap, isValidCidr6, networkOf6 } from './cidr6.js';
import { intToIp, ipToInt, isValidIpv4 } from './ipv4.js';
import { isValidIpv6 } from './ipv6.js';

/** A valid IPv4 CIDR. Host bits may be set (`10.0.0.1/8`): compare with {@link networkOf} to require a network address. */
export function isValidCidr(value: string): boolean {
  const [addr, len, extra] = value.split('/');
  if (extra !== undefined || !addr || !len || !isValidIpv4(addr) || !/^\d{1,2}$/.test(len) || Number(len) > 32) return false;
  return IPCIDR.isValidCIDR(value);
}

/** 4 or 6 for a valid prefix of that family (host bits may be set), undefined otherwise. */
export function cidrFamily(value: string): 4 | 6 | undefined {
  if (isValidCidr(value)) return 4;
  if (isValidCidr6(value)) return 6;
  return undefined;
}

/** First and last address of an IPv4 CIDR as integers, plus the prefix length (IPv6: `cidr6Range`). */
export function cidrRange(cidr: string): { first: number; last: number; prefix: number } {
  const [addr, len] = cidr.split('/');
  const prefix = Number(len);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToInt(addr!) / size) * size;
  return { first, last: first + size - 1, prefix };
}

/** The CIDR with its host bits cleared (`10.1.2.3/8` → `10.0.0.0/8`, `fd00::5/64` → `fd00::/64`). */
export function networkOf(cidr: string): string {
  if (isV6(cidr)) return networkOf6(cidr);
  const { first, prefix } = cidrRange(cidr);
  return `${intToIp(first)}/${prefix}`;
}

/** `ip` lies in `cidr`; false when they are of different families. */
export function cidrContains(cidr: string, ip: string): boolean {
  if (isV6(cidr) !== isValidIpv6(ip)) return false;
  if (isV6(cidr)) return cidr6Contains(cidr, ip);
  const { first, last } = cidrRange(cidr);
  const n = ipToInt(ip);
  return n >= first && n <= last;
}

/** `inner` lies entirely within `outer`; false when they are of different families. */
export function cidrWithin(inner: string, outer: string): boolean {
  if (isV6(inner) !== isV6(outer)) return false;
  if (isV6(inner)) return cidr6Within(inner, outer);
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return a.first >= b.first && a.last <= b.last;
}

/** The two prefixes share an address; false when they are of different families. */
export function cidrsOverlap(a: string, b: string): boolean {
  if (isV6(a) !== isV6(b)) return false;
  if (isV6(a)) return cidrs6Overlap(a, b);
  const x = cidrRange(a);
  const y = cidrRange(b);
  return x.first <= y.last && y.first <= x.last;
}

/** Only IPv6 text has colons. */
function isV6(cidrOrIp: string): boolean {
  return cidrOrIp.includes(':');
}
