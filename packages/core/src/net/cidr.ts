/**
 * IPv4 address math on plain numbers. ip-cidr parses and validates; the hot
 * paths (allocation, overlap checks) use these integer helpers.
 */
import IPCIDR from 'ip-cidr';
import { intToIp, ipToInt, isValidIpv4 } from './ipv4.js';


/** A valid IPv4 CIDR. Host bits may be set (`10.0.0.1/8`): compare with {@link networkOf} to require a network address. */
export function isValidCidr(value: string): boolean {
  const [addr, len, extra] = value.split('/');
  if (extra !== undefined || !addr || !len || !isValidIpv4(addr) || !/^\d{1,2}$/.test(len) || Number(len) > 32) return false;
  return IPCIDR.isValidCIDR(value);
}

/** First and last address of a CIDR as integers, plus the prefix length. */
export function cidrRange(cidr: string): { first: number; last: number; prefix: number } {
  const [addr, len] = cidr.split('/');
  const prefix = Number(len);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToInt(addr!) / size) * size;
  return { first, last: first + size - 1, prefix };
}

/** The CIDR with its host bits cleared (`10.1.2.3/8` → `10.0.0.0/8`). */
export function networkOf(cidr: string): string {
  const { first, prefix } = cidrRange(cidr);
  return `${intToIp(first)}/${prefix}`;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { first, last } = cidrRange(cidr);
  const n = ipToInt(ip);
  return n >= first && n <= last;
}

/** `inner` lies entirely within `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return a.first >= b.first && a.last <= b.last;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = cidrRange(a);
  const y = cidrRange(b);
  return x.first <= y.last && y.first <= x.last;
}
