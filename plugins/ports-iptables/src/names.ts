/**
 * Names and comments of the chains this backend makes. Fixed chain names
 * and prefixes come from core's KERNEL_NAMES (they must never change: reset
 * and gc find an older version's chains by them); this module only derives
 * per-object names from ids. iptables limits chain names to 28 characters.
 */
import { createHash } from 'node:crypto';
import { KERNEL_NAMES, type LinkRule } from '@ctrnet/core';

/** The fixed chains (dispatch chains and the admin's user chain). */
export const CHAINS = KERNEL_NAMES.iptablesChains;

const PREFIXES = KERNEL_NAMES.iptablesChainPrefixes;

/** iptables refuses longer chain names (XT_EXTENSION_MAXNAMELEN - 1). */
export const MAX_CHAIN_NAME_LENGTH = 28;

/** Comment on the jumps from built-in chains, so `iptables -S` readers see who put them there. */
export const BASE_COMMENT = 'ctrnet';

/** The mark that asks CTRNET-POSTROUTING to masquerade a DNATed connection (value/mask for MARK and mark). */
export const MASQUERADE_MARK = `0x${KERNEL_NAMES.masqueradeMark.toString(16)}/0x${KERNEL_NAMES.masqueradeMark.toString(16)}`;

/** `CTRNET-N-<12 hex>`: a network's chain (one per table). */
export function networkChain(networkId: string): string {
  return `${PREFIXES.network}${networkId.slice(0, 12)}`;
}

/** `CTRNET-C-<12 hex container>-<6 hex network>`: a container's published ports on one network. */
export function containerChain(containerId: string, networkId: string): string {
  return `${PREFIXES.container}${containerId.slice(0, 12)}-${networkId.slice(0, 6)}`;
}

/** `CTRNET-L-<12 hex container>-<6 hex>`: one link's exceptions; the hash tells two links of one container apart. */
export function linkChain(link: LinkRule): string {
  const hash = createHash('sha256').update(`${link.bridge}/${link.sourceIp}/${link.targetIp}`).digest('hex');
  return `${PREFIXES.link}${link.containerId.slice(0, 12)}-${hash.slice(0, 6)}`;
}

/** True for every chain any version of ctrnet made. */
export function isCtrnetChain(name: string): boolean {
  return name.startsWith(PREFIXES.any);
}

export function networkComment(networkId: string): string {
  return `ctrnet network ${networkId.slice(0, 12)}`;
}

export function containerComment(containerId: string, networkId: string): string {
  return `ctrnet container ${containerId.slice(0, 12)} network ${networkId.slice(0, 12)}`;
}

export function linkComment(link: LinkRule): string {
  return `ctrnet link ${link.containerId.slice(0, 12)} to ${link.targetIp}`;
}
