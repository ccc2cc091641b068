/**
 * The layout of ctrnet's own nftables table: its sets, maps and chains, and
 * the fixed rules inside the chains. Nothing here depends on how many
 * networks or ports exist: every per-network and per-port fact is an element
 * of a set or map, so a change adds or deletes elements and never rewrites a
 * rule, and every lookup is a hash (or interval-tree) probe whose cost does
 * not grow with the number of published ports.
 *
 * The names are part of ctrnet's contract with the kernel state it leaves
 * behind (an upgrade must still find and clean what an older version made)
 * and, for the `user` chain, with the admin who writes rules into it. Never
 * rename anything here; add new objects instead.
 */
import { MASQUERADE_MARK } from './names.js';

/** The nftables family of ctrnet's table: `inet`, one table for IPv4 and IPv6 (as netavark's `inet netavark`). */
export const TABLE_FAMILY = 'inet';

/** Element types the sets and maps use. */
export type NftType = 'ipv4_addr' | 'ipv6_addr' | 'ifname' | 'inet_proto' | 'inet_service';

/** A set (no `data`) or map (with `data`) of ctrnet's table. */
export interface SetSpec {
  /** Name inside the table, referenced from rules as `@name`. */
  readonly name: string;
  /** Types of the key's parts, concatenated with ` . `. */
  readonly key: readonly NftType[];
  /** Types of the mapped value's parts; absent for a plain set. */
  readonly data?: readonly NftType[];
  /** Elements may be prefixes (subnets). */
  readonly interval?: boolean;
}

/**
 * Every set and map, by role. Per network: `bridges`, `subnets`,
 * `gateways`, `subnet-bridges`, plus `masquerade-subnets`,
 * `internal-bridges`, `icc-bridges`, `open-subnets` and `routed-subnets`
 * depending on its options; the address sets exist once per family (`6`
 * suffix for IPv6). Per link: `links`/`links6`. Per published port:
 * `dnat4`/`dnat6` (a host address), `dnat4-any`/`dnat6-any` (every
 * address of the family), or `routed-ports`/`routed-ports6` (gateway mode
 * routed). The IPv6 objects were added after the IPv4 ones, hence the order.
 */
export const SETS = {
  /** Every network's bridge. */
  bridges: { name: 'bridges', key: ['ifname'] },
  /** Every network's subnet in gateway mode nat or isolated: the addresses the direct-routing guard protects. */
  subnets: { name: 'subnets', key: ['ipv4_addr'], interval: true },
  /** The host's own address in each subnet: reachable from anywhere, like any host address. */
  gateways: { name: 'gateways', key: ['ipv4_addr'] },
  /** (subnet . bridge): the only interface a subnet may be entered from, and the one its egress is not masqueraded on. */
  subnetBridges: { name: 'subnet-bridges', key: ['ipv4_addr', 'ifname'], interval: true },
  /** Subnets whose egress is masqueraded (masquerade on, a nat gateway mode, not internal). */
  masqueradeSubnets: { name: 'masquerade-subnets', key: ['ipv4_addr'], interval: true },
  /** Bridges of internal networks: nothing in or out but their own traffic. */
  internalBridges: { name: 'internal-bridges', key: ['ifname'] },
  /** (bridge . bridge) for networks with inter-container traffic on. */
  iccBridges: { name: 'icc-bridges', key: ['ifname', 'ifname'] },
  /** (source . target . protocol . port) opened by `--link` while ICC is off. */
  links: { name: 'links', key: ['ipv4_addr', 'ipv4_addr', 'inet_proto', 'inet_service'] },
  /** Ports published on one host address: (host address . protocol . port) → (container address . port). */
  dnat4: { name: 'dnat4', key: ['ipv4_addr', 'inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] },
  /** Ports published on every host address (0.0.0.0): (protocol . port) → (container address . port). */
  dnat4Any: { name: 'dnat4-any', key: ['inet_proto', 'inet_service'], data: ['ipv4_addr', 'inet_service'] },
  /** The IPv6 counterparts of the sets above. */
  subnets6: { name: 'subnets6', key: ['ipv6_addr'], interval: true },
  gateways6: { name: 'gateways6', key: ['ipv6_addr'] },
  subnetBridges6: { name: 'subnet-bridges6', key: ['ipv6_addr', 'ifname'], interval: true },
  masqueradeSubnets6: { name: 'masquerade-subnets6', key: ['ipv6_addr'], interval: true },
  links6: { name: 'links6', key: ['ipv6_addr', 'ipv6_addr', 'inet_proto', 'inet_service'] },
  dnat6: { name: 'dnat6', key: ['ipv6_addr', 'inet_proto', 'inet_service'], data: ['ipv6_addr', 'inet_service'] },
  /** Ports published on every IPv6 host address (::) but ::1, which the loopback proxy of core serves. */
  dnat6Any: { name: 'dnat6-any', key: ['inet_proto', 'inet_service'], data: ['ipv6_addr', 'inet_service'] },
  /** Subnets in gateway mode nat-unprotected: anything routed to them from outside the host gets in. */
  openSubnets: { name: 'open-subnets', key: ['ipv4_addr'], interval: true },
  openSubnets6: { name: 'open-subnets6', key: ['ipv6_addr'], interval: true },
  /** Subnets in gateway mode routed: ICMP from outside gets in (ping, path MTU). */
  routedSubnets: { name: 'routed-subnets', key: ['ipv4_addr'], interval: true },
  routedSubnets6: { name: 'routed-subnets6', key: ['ipv6_addr'], interval: true },
  /** Published ports in gateway mode routed: (container address . protocol . port), reachable by routing, no NAT. */
  routedPorts: { name: 'routed-ports', key: ['ipv4_addr', 'inet_proto', 'inet_service'] },
  routedPorts6: { name: 'routed-ports6', key: ['ipv6_addr', 'inet_proto', 'inet_service'] },
} as const satisfies Record<string, SetSpec>;

/** Key of {@link SETS}. */
export type SetRole = keyof typeof SETS;

/** Order in which sets are declared, listed and filled: fixed, so scripts are deterministic. */
export const SET_ROLES = Object.keys(SETS) as SetRole[];

/**
 * The admin's chain, jumped to first from `forward` (like Docker's
 * DOCKER-USER): `nft add rule inet ctrnet user ...`. An `accept` there
 * overrides every drop of ctrnet's forward chain; a `drop` there applies to
 * published ports too (they are forwarded, so the host's INPUT chain never
 * sees them). ctrnet creates it empty and never flushes it: addNetwork and
 * reload keep its rules; only `system reset` (which deletes the table) loses them.
 */
export const USER_CHAIN = 'user';

/** A chain of ctrnet's table other than the admin's. */
export interface ChainSpec {
  readonly name: string;
  /** `type ... hook ... priority ...; policy accept;` for a base chain; absent for a regular chain. */
  readonly hook?: string;
  /** The fixed rules, in order. */
  readonly rules: readonly string[];
}

const MARK = `0x${MASQUERADE_MARK.toString(16)}`;
const DNAT4_KEY = 'ip daddr . meta l4proto . th dport';
const DNAT6_KEY = 'ip6 daddr . meta l4proto . th dport';
// The any-address maps are keyed without an address, so the family is matched explicitly.
const DNAT4_ANY_KEY = 'meta nfproto ipv4 meta l4proto . th dport';
const DNAT6_ANY_KEY = 'meta nfproto ipv6 meta l4proto . th dport';

/**
 * ctrnet's chains. Regular chains come first because rules of base chains
 * jump to them. Base chains use the standard priorities, so they run
 * alongside iptables-nft's tables and Docker's without depending on them.
 * Every base chain has policy accept: an accept here only ends this table's
 * verdict, so ctrnet never opens what another table drops, and ctrnet's
 * drops only ever name ctrnet's bridges, subnets and ports.
 */
export const CHAINS: readonly ChainSpec[] = [
  {
    // Marks connections to published ports that must be masqueraded so the
    // reply comes back through the host: from 127/8 (the source would not be
    // routable from the bridge) and from a bridge (hairpin: the container
    // would answer its peer directly, bypassing the reverse DNAT).
    name: 'published-mark',
    rules: [
      `${DNAT4_KEY} @${SETS.dnat4.name} meta mark set meta mark | ${MARK} return`,
      `${DNAT4_ANY_KEY} @${SETS.dnat4Any.name} meta mark set meta mark | ${MARK} return`,
      `${DNAT6_KEY} @${SETS.dnat6.name} meta mark set meta mark | ${MARK} return`,
      `${DNAT6_ANY_KEY} @${SETS.dnat6Any.name} meta mark set meta mark | ${MARK}`,
    ],
  },
  {
    // One lookup per map, whatever the number of ports. A port published on
    // one address wins over the same port on 0.0.0.0.
    name: 'published',
    rules: [
      `ip saddr 127.0.0.0/8 jump published-mark`,
      `iifname @${SETS.bridges.name} jump published-mark`,
      `dnat ip to ${DNAT4_KEY} map @${SETS.dnat4.name}`,
      `meta nfproto ipv4 dnat ip to meta l4proto . th dport map @${SETS.dnat4Any.name}`,
      `dnat ip6 to ${DNAT6_KEY} map @${SETS.dnat6.name}`,
      `meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @${SETS.dnat6Any.name}`,
    ],
  },
  {
    // Before conntrack and DNAT (raw), so it sees the address on the wire:
    // packets routed straight to a container address from anywhere but its
    // own bridge are dropped (Docker 28's fix for LAN hosts reaching
    // unpublished ports). Published ports pass: their destination is a host
    // address until DNAT. The host itself passes: its packets take the output
    // path. The gateway is a host address and stays reachable, as in Docker.
    // 127/8 from a bridge is dropped because route_localnet (needed for
    // localhost publishing) would otherwise let containers reach the host's
    // loopback services; IPv6 needs no such rule (no route_localnet, the
    // kernel drops ::1 off lo). Subnets in gateway modes routed and
    // nat-unprotected are not in `subnets`: their containers are meant to
    // be reached by routing (and answered without NAT), and `forward`,
    // after conntrack, decides what gets in.
    name: 'guard',
    hook: 'type filter hook prerouting priority raw; policy accept;',
    rules: [
      `iifname @${SETS.bridges.name} ip daddr 127.0.0.0/8 drop`,
      `ip daddr @${SETS.subnets.name} ip daddr != @${SETS.gateways.name} ip daddr . iifname != @${SETS.subnetBridges.name} drop`,
      `ip6 daddr @${SETS.subnets6.name} ip6 daddr != @${SETS.gateways6.name} ip6 daddr . iifname != @${SETS.subnetBridges6.name} drop`,
    ],
  },
  {
    // 127/8 is never translated here: such a packet can only come from the
    // wire (local traffic is translated in nat-output), and translating it
    // would let a LAN neighbour reach ports published on 127.0.0.1.
    name: 'nat-prerouting',
    hook: 'type nat hook prerouting priority dstnat; policy accept;',
    rules: [`fib daddr type local ip daddr != 127.0.0.0/8 jump published`, `fib daddr type local ip6 daddr != ::1 jump published`],
  },
  {
    // -100 is dstnat; nft 1.0.6 only accepts the keyword on prerouting.
    // [::1] is never translated: the kernel drops the reply of a DNATed ::1
    // connection (no route_localnet in IPv6), so core's loopback proxy
    // listens there instead.
    name: 'nat-output',
    hook: 'type nat hook output priority -100; policy accept;',
    rules: [`meta nfproto ipv4 fib daddr type local jump published`, `fib daddr type local ip6 daddr != ::1 jump published`],
  },
  {
    name: 'nat-postrouting',
    hook: 'type nat hook postrouting priority srcnat; policy accept;',
    rules: [
      `meta mark & ${MARK} == ${MARK} masquerade`,
      // Egress leaving by any interface but the subnet's own bridge.
      `ip saddr @${SETS.masqueradeSubnets.name} ip saddr . oifname != @${SETS.subnetBridges.name} masquerade`,
      `ip6 saddr @${SETS.masqueradeSubnets6.name} ip6 saddr . oifname != @${SETS.subnetBridges6.name} masquerade`,
    ],
  },
  {
    // The admin's chain runs first; then replies; then what ctrnet allows,
    // most specific first; then ctrnet's drops, which only name its bridges.
    // Same-bridge traffic reaches this chain only when br_netfilter hands
    // bridged packets to IP hooks (bridge-nf-call-iptables=1), as Docker
    // requires for icc=false too.
    name: 'forward',
    hook: 'type filter hook forward priority filter; policy accept;',
    rules: [
      `jump ${USER_CHAIN}`,
      `ct state established,related accept`,
      // Neighbour discovery between containers of one bridge, seen here only
      // through br_netfilter: IPv6's ARP, which ICC off must not break for links.
      `iifname @${SETS.bridges.name} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept`,
      `iifname . oifname @${SETS.iccBridges.name} accept`,
      `ip saddr . ip daddr . meta l4proto . th dport @${SETS.links.name} accept`,
      `ip6 saddr . ip6 daddr . meta l4proto . th dport @${SETS.links6.name} accept`,
      `iifname @${SETS.internalBridges.name} drop`,
      `oifname @${SETS.internalBridges.name} drop`,
      // Only published ports are translated to container addresses, so a
      // translated connection is one to a published port (from the LAN or
      // from another network's container).
      `ct status dnat accept`,
      // Between two bridges: inter-network isolation; same bridge: ICC off.
      `iifname @${SETS.bridges.name} oifname @${SETS.bridges.name} drop`,
      `iifname @${SETS.bridges.name} accept`,
      // From outside the host, by gateway mode: routed networks' published
      // ports and ICMP, and anything for nat-unprotected networks.
      `ip daddr . meta l4proto . th dport @${SETS.routedPorts.name} accept`,
      `ip6 daddr . meta l4proto . th dport @${SETS.routedPorts6.name} accept`,
      `ip daddr @${SETS.routedSubnets.name} meta l4proto icmp accept`,
      `ip6 daddr @${SETS.routedSubnets6.name} meta l4proto ipv6-icmp accept`,
      `ip daddr @${SETS.openSubnets.name} accept`,
      `ip6 daddr @${SETS.openSubnets6.name} accept`,
      `oifname @${SETS.bridges.name} drop`,
    ],
  },
  {
    // Local traffic to an internal network's published port: DNAT happened
    // in nat-output and the packet never crosses forward. Checked here, not
    // in an output chain: there the interface is still the one routed to
    // before DNAT (lo), not the bridge.
    name: 'postrouting',
    hook: 'type filter hook postrouting priority filter; policy accept;',
    rules: [`ct status dnat oifname @${SETS.internalBridges.name} drop`],
  },
];
