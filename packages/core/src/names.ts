/**
 * Names of kernel objects ctrnet creates. They are part of ctrnet's contract
 * with the kernel state it left behind: `system gc` and `system reset`
 * recognise ctrnet's objects by these names, and an upgrade must still find
 * (and clean) what an older version made. Never change them; add new ones.
 */
export const KERNEL_NAMES = {
  /** Linux bridge of the default network (Docker uses docker0). */
  defaultBridge: 'ctrnet0',
  /** Prefix of bridges created for user-defined networks: `ctr-` + 11 hex chars of the network id. */
  bridgePrefix: 'ctr-',
  /** Prefix of host-side veth ends: `vc` + 13 hex chars (15 is the kernel's limit). */
  vethPrefix: 'vc',
  /** Prefix of the temporary container-side veth name before it is moved and renamed to ethN. */
  vethPeerPrefix: 'vp',
  /** Prefix of container network namespaces under /run/netns. */
  netnsPrefix: 'ctrnet-',
  /** nftables table owned by ctrnet (family inet). */
  nftTable: 'ctrnet',
  /** iptables chains owned by ctrnet; the user chain runs first in FORWARD. */
  iptablesChains: {
    user: 'CTRNET-USER',
    forward: 'CTRNET-FORWARD',
    isolation: 'CTRNET-ISOLATION',
    dnat: 'CTRNET-DNAT',
    postrouting: 'CTRNET-POSTROUTING',
    rawGuard: 'CTRNET-RAW',
    /** Dispatch chain for `--link` exceptions when ICC is off. */
    links: 'CTRNET-LINKS',
  },
  /** Prefixes of iptables chains ctrnet makes per object; every ctrnet chain starts with `any`. */
  iptablesChainPrefixes: {
    any: 'CTRNET-',
    /** Per network: `CTRNET-N-` + 12 hex chars of the network id. */
    network: 'CTRNET-N-',
    /** Per container and network: `CTRNET-C-` + 12 hex of the container id + `-` + 6 hex of the network id. */
    container: 'CTRNET-C-',
    /** Per link: `CTRNET-L-` + 12 hex of the linking container's id + `-` + 6 hex of a hash of the link. */
    link: 'CTRNET-L-',
  },
  /** Packet mark (bit) for connections that need masquerading after DNAT (localhost, hairpin). */
  masqueradeMark: 0x2000,
} as const;

/** The kernel's limit on interface names (IFNAMSIZ - 1). */
export const MAX_IFNAME_LENGTH = 15;

/** A valid interface name: 1–15 chars, no '/', whitespace, ':' or quotes. */
export function isValidIfName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(name) && name !== '.' && name !== '..';
}
