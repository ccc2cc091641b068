/**
 * The subnets `defaultAddressPools` offers, in the order they are tried.
 */
import { CtrnetError, cidrRange, intToIp, ipToInt, isValidCidr } from '@ctrnet/core';
import { MAX_SUBNET_PREFIX } from './pool-request.js';

/** One `defaultAddressPools` entry: carve `base` into `/size` blocks. */
export interface AddressPoolSpec {
  base: string;
  size: number;
}

/**
 * Every `/size` block of every pool, in config order, lowest first. Carving
 * starts at the base's own address, not at its network address, and runs to
 * the end of the base's block: `172.17.0.0/12` with size 16 yields
 * 172.17.0.0/16 ... 172.31.0.0/16, Docker's default list.
 */
export function* candidateSubnets(pools: readonly AddressPoolSpec[]): Generator<string> {
  // All entries are checked before the first is carved, so a bad entry is
  // reported even while an earlier one still has room.
  for (const { base, size } of pools) checkPoolSpec(base, size);
  for (const { base, size } of pools) {
    const { last } = cidrRange(base);
    const block = 2 ** (32 - size);
    const start = Math.floor(ipToInt(base.split('/')[0]!) / block) * block;
    for (let n = start; n + block - 1 <= last; n += block) yield `${intToIp(n)}/${size}`;
  }
}

/** Core's config schema checks each field; this checks that they fit together. */
function checkPoolSpec(base: string, size: number): void {
  const where = `defaultAddressPools entry {"base": "${base}", "size": ${size}}`;
  if (!isValidCidr(base)) {
    throw new CtrnetError('INVALID_CONFIG', `${where}: base is not an IPv4 CIDR; use one such as 172.17.0.0/12`);
  }
  const { prefix } = cidrRange(base);
  if (!Number.isInteger(size) || size < prefix || size > MAX_SUBNET_PREFIX) {
    throw new CtrnetError(
      'INVALID_CONFIG',
      `${where}: size must be a prefix length from the base's /${prefix} to /${MAX_SUBNET_PREFIX}, e.g. ${Math.max(prefix, Math.min(24, MAX_SUBNET_PREFIX))}`,
    );
  }
}
