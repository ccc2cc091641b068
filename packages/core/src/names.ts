/**
 * Kernel names core itself gives objects. Plugins name their own objects
 * (bridges, veths, tables, chains) in their own `names.ts`; core only makes
 * the containers' network namespaces. Never change a name: `system gc` and
 * `system reset` must still find what an older version made.
 */

/** Prefix of container network namespaces under /run/netns: `ctrnet-` + 12 hex chars of the container id. */
export const CONTAINER_NETNS_PREFIX = 'ctrnet-';

/** The kernel's limit on interface names (IFNAMSIZ - 1). */
export const MAX_IFNAME_LENGTH = 15;

/** A valid interface name: 1–15 chars, no '/', whitespace, ':' or quotes. */
export function isValidIfName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(name) && name !== '.' && name !== '..';
}
