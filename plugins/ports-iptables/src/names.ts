/**
 * Names and comments of the chains this backend makes. They are part of
 * ctrnet's contract with the state it leaves behind: reset and gc find an
 * older version's chains by them, and admins add rules to CTRNET-USER.
 * Never change them; add new ones. iptables limits chain names to 28
 * characters.
 */
import { createHash } from 'node:crypto';
import type { LinkRule } from '@ctrnet/core';

/** The fixed chains (dispatch chains and the admin's user chain, which runs first in FORWARD). */
export const CHAINS = {
  user: 'CTRNET-USER',
  forward: 'CTRNET-FORWARD',
  isolation: 'CTRNET-ISOLATION',
  dnat: 'CTRNET-DNAT',
  postrouting: 'CTRNET-POSTROUTING',
  rawGuard: 'CTRNET-RAW',
  /** Dispatch chain for `--link` exceptions when ICC is off. */
  links: 'CTRNET-LINKS',
} as const;

/** Prefixes of chains made per object; every ctrnet chain starts with `any`. */
const PREFIXES = {
  any: 'CTRNET-',
  /** Per network: `CTRNET-N-` + 12 hex chars of the network id. */
  network: 'CTRNET-N-',
  /** Per container and network: `CTRNET-C-` + 12 hex of the container id + `-` + 6 hex of the network id. */
  container: 'CTRNET-C-',
  /** Per link: `CTRNET-L-` + 12 hex of the linking container's id + `-` + 6 hex of a hash of the link. */
  link: 'CTRNET-L-',
  /** Per network (raw): `CTRNET-M-` + 12 hex of the network id, marking packets from its bridge. */
  mark: 'CTRNET-M-',
  /** Per network in gateway mode routed (filter): `CTRNET-R-` + 12 hex of the network id, its containers' open ports. */
  routed: 'CTRNET-R-',
} as const;

/** Packet mark (bit) for connections that need masquerading after DNAT (localhost, hairpin). */
const MARK = 0x2000;

/** Packet mark (bit) for packets that entered through a ctrnet bridge: gateway modes open ports to the outside only. */
const BRIDGE_MARK = 0x4000;

/** iptables refuses longer chain names (XT_EXTENSION_MAXNAMELEN - 1). */
export const MAX_CHAIN_NAME_LENGTH = 28;

/** Comment on the jumps from built-in chains, so `iptables -S` readers see who put them there. */
export const BASE_COMMENT = 'ctrnet';

/** The mark that asks CTRNET-POSTROUTING to masquerade a DNATed connection (value/mask for MARK and mark). */
export const MASQUERADE_MARK = `0x${MARK.toString(16)}/0x${MARK.toString(16)}`;

/** The mark (value/mask) every network's raw mark chain sets on packets from its bridge. */
export const FROM_BRIDGE_MARK = `0x${BRIDGE_MARK.toString(16)}/0x${BRIDGE_MARK.toString(16)}`;

/** `CTRNET-M-<12 hex>`: a network's raw chain that marks packets from its bridge. */
export function markChain(networkId: string): string {
  return `${PREFIXES.mark}${networkId.slice(0, 12)}`;
}

/** `CTRNET-R-<12 hex>`: the dispatch chain (filter) of a routed network's published ports. */
export function routedChain(networkId: string): string {
  return `${PREFIXES.routed}${networkId.slice(0, 12)}`;
}

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
