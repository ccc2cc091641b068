/**
 * The subnets `defaultAddressPools` offers, in the order they are tried.
 */
import { CtrnetError, POOL_PREFIX_BOUNDS, bigIntToIpv6, cidr6Range, cidrFamily, cidrRange, intToIp, ipToInt, ipv6ToBigInt } from '@ctrnet/core';

/** One `defaultAddressPools` entry: carve `base` into `/size` blocks. */
export interface AddressPoolSpec {
  base: string;
  size: number;
}

/**
 * Every `/size` block of every pool of `family`, in config order, lowest
 * first. Carving starts at the base's own address, not at its network
 * address, and runs to the end of the base's block: `172.17.0.0/12` with
 * size 16 yields 172.17.0.0/16 ... 172.31.0.0/16, Docker's default list.
 * Lazy: a /48 cut into /64s is 65,536 candidates, produced one at a time.
 */
export function* candidateSubnets(pools: readonly AddressPoolSpec[], family: 4 | 6 = 4): Generator<string> {
  // All entries are checked before the first is carved, so a bad entry is
  // reported even while an earlier one still has room.
  for (const { base, size } of pools) checkPoolSpec(base, size);
  for (const { base, size } of pools) {
    if (cidrFamily(base) !== family) continue;
    if (family === 6) {
      const { last } = cidr6Range(base);
      const block = 1n << BigInt(128 - size);
      const start = (ipv6ToBigInt(base.split('/')[0]!) / block) * block;
      for (let n = start; n + block - 1n <= last; n += block) yield `${bigIntToIpv6(n)}/${size}`;
      continue;
    }
    const { last } = cidrRange(base);
    const block = 2 ** (32 - size);
    const start = Math.floor(ipToInt(base.split('/')[0]!) / block) * block;
    for (let n = start; n + block - 1 <= last; n += block) yield `${intToIp(n)}/${size}`;
  }
}

/** Core's config schema checks each field; this checks that they fit together (pools also reach IPAM from core's ULA default). */
function checkPoolSpec(base: string, size: number): void {
  const where = `defaultAddressPools entry {"base": "${base}", "size": ${size}}`;
  const family = cidrFamily(base);
  if (family === undefined) {
    throw new CtrnetError('INVALID_CONFIG', `${where}: base is not a CIDR; use one such as 172.17.0.0/12 or fd00:0:0:1::/56`);
  }
  const prefix = family === 6 ? cidr6Range(base).prefix : cidrRange(base).prefix;
  const [low, high] = POOL_PREFIX_BOUNDS[family];
  if (family === 6 && prefix < low) throw new CtrnetError('INVALID_CONFIG', `${where}: an IPv6 base must be /${low} or longer`);
  if (!Number.isInteger(size) || size < Math.max(prefix, low) || size > high) {
    const example = family === 6 ? Math.max(prefix, 64) : Math.max(prefix, Math.min(24, high));
    throw new CtrnetError('INVALID_CONFIG', `${where}: size must be a prefix length from the base's /${prefix} to /${high}, e.g. ${example}`);
  }
}
