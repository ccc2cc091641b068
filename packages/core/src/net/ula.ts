/**
 * The per-installation IPv6 pool networks draw subnets from when the config
 * names none (Docker 27's rule, moby `daemon.deriveULABaseNetwork`): the low
 * 40 bits of the first 8 bytes of sha256(installation id), big-endian, are
 * the Global ID of an RFC 4193 unique local prefix `fdXX:XXXX:XXXX::/48`,
 * cut into /64s. Derived, not random, so it is stable for a state dir and
 * reproducible from its id; hashed, so two installations almost never share
 * one (40 random bits, as RFC 4193 asks).
 */
import { createHash } from 'node:crypto';
import { bigIntToIpv6, ipv6ToBigInt } from './ipv6.js';

/** The prefix length of every subnet cut from the ULA pool (one LAN-sized /64 per network). */
export const ULA_SUBNET_SIZE = 64;

/** The installation's unique local /48, as a `defaultAddressPools` entry. */
export function ulaPool(installationId: string): { base: string; size: number } {
  const digest = createHash('sha256').update(installationId).digest();
  const globalId = digest.readBigUInt64BE(0) & ((1n << 40n) - 1n);
  const base = ipv6ToBigInt('fd00::') + (globalId << 80n);
  return { base: `${bigIntToIpv6(base)}/48`, size: ULA_SUBNET_SIZE };
}
