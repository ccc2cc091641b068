/**
 * The rule layout, as pure builders from core's data to {@link Unit}s. The
 * shape follows Docker's and CNI's iptables layouts (see README.md), and is
 * the same for both families: the IPv4 units go to iptables, the IPv6 units
 * to ip6tables, each built for its family's subnet, addresses and quirks.
 *
 * - raw PREROUTING → CTRNET-RAW → per network: first (jumps at the top)
 *   mark packets from its bridge; then drop packets for the subnet that did
 *   not come from its bridge (direct routing from the LAN), and (IPv4) packets for 127/8 that did
 *   (route_localnet is on for the bridge); per container with a 127.x
 *   binding: drop that port unless it came on lo.
 * - nat PREROUTING/OUTPUT (dst-type LOCAL) → CTRNET-DNAT → per container:
 *   mark localhost and hairpin connections, then DNAT.
 * - nat POSTROUTING → CTRNET-POSTROUTING → per network: masquerade egress,
 *   and masquerade marked connections into the bridge.
 * - filter FORWARD → CTRNET-USER (the admin's, first) → CTRNET-FORWARD →
 *   per network, reached once for packets into the bridge (jumps at the top)
 *   and once for packets out of it (jumps at the bottom), so every network's
 *   inbound policy runs before any network's egress accept.
 * - filter OUTPUT → per internal network: drop the host's own connections
 *   to its published ports.
 * - gateway mode routed: per network a `CTRNET-R-` chain in filter that each
 *   container's published ports join (no NAT, no raw guard).
 */
import { cidrContains, networkOf, type GatewayMode, type LinkRule, type NetworkRules, type PortBinding } from '@ctrnet/core';
import type { Jump, OwnedChain, Rule, Unit } from './model.js';
import {
  BASE_COMMENT,
  CHAINS,
  FROM_BRIDGE_MARK,
  MASQUERADE_MARK,
  containerChain,
  containerComment,
  linkChain,
  linkComment,
  markChain,
  networkChain,
  networkComment,
  routedChain,
} from './names.js';

/** The address family a unit is built for: 4 goes to iptables, 6 to ip6tables. */
export type Family = 4 | 6;

function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text];
}

const LOCAL_DST = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
/** Packets that did not come from any ctrnet bridge (see the mark in each network's raw chain). */
const FROM_OUTSIDE = ['-m', 'mark', '!', '--mark', FROM_BRIDGE_MARK];
const ICMP = { 4: 'icmp', 6: 'ipv6-icmp' } as const;
const HOST_PREFIX = { 4: 32, 6: 128 } as const;

/** The dispatch chains and the jumps from built-in chains; shared by every network and container of a family. */
export function baseUnit(): Unit {
  const chains: OwnedChain[] = [
    { table: 'raw', name: CHAINS.rawGuard, rules: [], dispatch: true },
    { table: 'nat', name: CHAINS.dnat, rules: [], dispatch: true },
    { table: 'nat', name: CHAINS.postrouting, rules: [], dispatch: true },
    { table: 'filter', name: CHAINS.user, rules: [], dispatch: true },
    { table: 'filter', name: CHAINS.forward, rules: [], dispatch: true },
    { table: 'filter', name: CHAINS.links, rules: [], dispatch: true },
  ];
  const jumps: Jump[] = [
    { table: 'raw', from: 'PREROUTING', rule: [...comment(BASE_COMMENT), '-j', CHAINS.rawGuard], at: 'top' },
    // Docker and CNI hook DNAT the same way: only packets for this host's own addresses.
    { table: 'nat', from: 'PREROUTING', rule: [...LOCAL_DST, ...comment(BASE_COMMENT), '-j', CHAINS.dnat], at: 'top' },
    // OUTPUT covers the host's own connections, 127.0.0.1 included (no userland proxy).
    { table: 'nat', from: 'OUTPUT', rule: [...LOCAL_DST, ...comment(BASE_COMMENT), '-j', CHAINS.dnat], at: 'top' },
    { table: 'nat', from: 'POSTROUTING', rule: [...comment(BASE_COMMENT), '-j', CHAINS.postrouting], at: 'top' },
    // The admin's chain runs first so published ports cannot bypass their policy.
    { table: 'filter', from: 'FORWARD', rule: [...comment(BASE_COMMENT), '-j', CHAINS.user], at: 'top' },
    { table: 'filter', from: 'FORWARD', rule: [...comment(BASE_COMMENT), '-j', CHAINS.forward], at: 'top' },
  ];
  return { chains, jumps };
}

/** A network's family: its subnet and gateway mode, or undefined when the network lacks the family. */
function familyOf(network: NetworkRules, family: Family): { subnet: string; mode: GatewayMode } | undefined {
  const subnet = family === 4 ? network.subnet : network.subnet6;
  if (subnet === undefined) return undefined;
  return { subnet, mode: (family === 4 ? network.gatewayMode : network.gatewayMode6) ?? 'nat' };
}

/**
 * A network's rules for one family: direct-routing guard (raw), masquerade
 * (nat), forwarding policy (filter); undefined when the network has no
 * subnet of the family.
 */
export function networkUnit(network: NetworkRules, family: Family = 4): Unit | undefined {
  const f = familyOf(network, family);
  if (!f) return undefined;
  const { bridge: br, internal, icc } = network;
  const { subnet, mode } = f;
  const name = networkChain(network.networkId);
  const routed = routedChain(network.networkId);
  const tag = comment(networkComment(network.networkId));
  const nat = mode === 'nat' || mode === 'nat-unprotected';
  const outside = !internal;

  const raw: Rule[] = [];
  // Docker 28's fix: nobody but the bridge may send to container addresses.
  // The host's own address on the bridge stays reachable, as with Docker.
  // Gateway modes routed and nat-unprotected mean to be reached by routing
  // (and answered without NAT): FORWARD, after conntrack, decides for them.
  if (mode === 'nat' || mode === 'isolated' || internal) raw.push(['-d', subnet, '!', '-i', br, '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '-j', 'DROP']);
  // route_localnet=1 would otherwise let containers reach the host's 127.0.0.1 services (IPv6 has no such switch).
  if (family === 4) raw.push(['-d', '127.0.0.0/8', '-i', br, '-j', 'DROP']);

  const natRules: Rule[] = [];
  if (network.masquerade && outside && nat) natRules.push(['-s', subnet, '!', '-o', br, '-j', 'MASQUERADE']);
  // Localhost and hairpin connections were marked in CTRNET-DNAT; without
  // masquerading, the container's reply would not come back through the host.
  if (outside) natRules.push(['-o', br, '-m', 'mark', '--mark', MASQUERADE_MARK, '-j', 'MASQUERADE']);

  const filter: Rule[] = [];
  // Nothing reaches an internal network's published ports. Forwarded
  // connections meet the drops below anyway; this rule is for the host's own
  // (see the OUTPUT jump).
  if (internal) filter.push(['-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'DROP']);
  filter.push(['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  // Published ports: a connection into the bridge that ctrnet's DNAT made.
  if (outside) filter.push(['-o', br, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']);
  if (!icc) {
    // IPv6's neighbour discovery between containers (seen here through br_netfilter) must survive ICC off, or links break.
    // Types 135 and 136 (solicitation, advertisement), numeric as ip6tables-save prints them.
    if (family === 6) for (const type of ['135', '136']) filter.push(['-i', br, '-o', br, '-p', 'ipv6-icmp', '-m', 'icmp6', '--icmpv6-type', type, '-j', 'ACCEPT']);
    filter.push(['-i', br, '-o', br, '-j', CHAINS.links]);
  }
  filter.push(['-i', br, '-o', br, '-j', icc ? 'ACCEPT' : 'DROP']);
  // From outside the host, by gateway mode: routed networks' published ports and ICMP; anything for nat-unprotected.
  if (outside && mode === 'routed') {
    filter.push(['-o', br, ...FROM_OUTSIDE, '-j', routed]);
    filter.push(['-o', br, '-p', ICMP[family], ...FROM_OUTSIDE, '-j', 'ACCEPT']);
  }
  if (outside && mode === 'nat-unprotected') filter.push(['-o', br, ...FROM_OUTSIDE, '-j', 'ACCEPT']);
  // Everything else into the bridge: other ctrnet bridges (isolation) and the outside.
  filter.push(['-o', br, '-j', 'DROP']);
  filter.push(['-i', br, '-j', internal ? 'DROP' : 'ACCEPT']);

  const mark = markChain(network.networkId);
  const jumps: Jump[] = [
    // At the top: every packet from a bridge is marked before any network's chain can accept it (routed ports).
    { table: 'raw', from: CHAINS.rawGuard, rule: ['-i', br, ...tag, '-j', mark], at: 'top' },
    { table: 'raw', from: CHAINS.rawGuard, rule: [...tag, '-j', name], at: 'bottom' },
    { table: 'nat', from: CHAINS.postrouting, rule: [...tag, '-j', name], at: 'bottom' },
    // Inbound jumps stay above every egress jump: traffic from one ctrnet
    // bridge to another meets the target's drop before the source's accept.
    { table: 'filter', from: CHAINS.forward, rule: ['-o', br, ...tag, '-j', name], at: 'top' },
    { table: 'filter', from: CHAINS.forward, rule: ['-i', br, ...tag, '-j', name], at: 'bottom' },
  ];
  if (family === 4 && network.dnsRedirect && network.gateway) {
    // The resolver's alternate port (a host DNS server holds 53): the network's DNS traffic to the gateway goes there.
    for (const proto of ['udp', 'tcp']) {
      const to = `${network.gateway}:${network.dnsRedirect}`;
      jumps.push({ table: 'nat', from: CHAINS.dnat, rule: ['-d', `${network.gateway}/32`, '-i', br, '-p', proto, '-m', proto, '--dport', '53', ...tag, '-j', 'DNAT', '--to-destination', to], at: 'top' });
    }
  }
  if (internal) {
    // The host's connections to published ports are DNATed in nat OUTPUT and
    // never cross FORWARD. Filter OUTPUT sees the new destination but still
    // the old output interface (lo), hence the match on the subnet.
    jumps.push({ table: 'filter', from: 'OUTPUT', rule: ['-d', networkOf(subnet), '-m', 'conntrack', '--ctstate', 'DNAT', ...tag, '-j', name], at: 'bottom' });
  }

  const chains: OwnedChain[] = [
    // Told apart in FORWARD: gateway modes open container ports to the outside, never to other networks.
    { table: 'raw', name: mark, rules: [['-j', 'MARK', '--set-xmark', FROM_BRIDGE_MARK]] },
    { table: 'raw', name, rules: raw },
    { table: 'nat', name, rules: natRules },
    { table: 'filter', name, rules: filter },
  ];
  // The routed ports of the network's containers jump in here (see containerUnits).
  if (outside && mode === 'routed') chains.push({ table: 'filter', name: routed, rules: [], dispatch: true });
  return { chains, jumps };
}

function isLoopback(ip: string): boolean {
  return cidrContains('127.0.0.0/8', ip);
}

function portMatch(b: PortBinding): string[] {
  return ['-p', b.protocol, '-m', b.protocol, '--dport', String(b.hostPort)];
}

/** The family of a binding, from its container address. */
export function familyOfAddress(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

/** nat rules of one binding: CNI's mark-then-DNAT. */
function dnatRules(b: PortBinding): Rule[] {
  const family = familyOfAddress(b.containerIp);
  const any = b.hostIp === (family === 6 ? '::' : '0.0.0.0');
  // [::1] is left to core's loopback proxy: IPv6 cannot route a DNATed ::1 connection's reply.
  const dst = any ? (family === 6 ? ['!', '-d', '::1/128'] : []) : ['-d', `${b.hostIp}/${HOST_PREFIX[family]}`];
  const rules: Rule[] = [];
  if (family === 4 && (any || isLoopback(b.hostIp))) {
    rules.push(['-s', '127.0.0.0/8', ...dst, ...portMatch(b), '-j', 'MARK', '--set-xmark', MASQUERADE_MARK]);
  }
  if (!isLoopback(b.hostIp)) {
    // Hairpin: from the container's own bridge. Never matches on the OUTPUT path (no input interface).
    // Matches in iptables-save's order (-s, -d, -i), so the guard's check finds the rule as written.
    rules.push([...dst, '-i', b.bridge, ...portMatch(b), '-j', 'MARK', '--set-xmark', MASQUERADE_MARK]);
  }
  const to = family === 6 ? `[${b.containerIp}]:${b.containerPort}` : `${b.containerIp}:${b.containerPort}`;
  rules.push([...dst, ...portMatch(b), '-j', 'DNAT', '--to-destination', to]);
  return rules;
}

/**
 * One unit per (container, network) of the family's bindings: a nat chain
 * with the DNAT rules and, for ports bound to a 127.x address, a raw chain
 * that keeps other interfaces from reaching them. Routed bindings instead
 * get a filter chain opening the container ports, jumped from the network's
 * `CTRNET-R-` chain. Ports on [::1] get nothing (core's loopback
 * proxy serves them).
 */
export function containerUnits(bindings: readonly PortBinding[], family: Family = 4): Unit[] {
  const groups = new Map<string, PortBinding[]>();
  for (const b of bindings) {
    if (familyOfAddress(b.containerIp) !== family || b.hostIp === '::1') continue;
    const key = `${b.containerId}/${b.networkId}`;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  return [...groups.values()].map((group) => {
    const { containerId, networkId } = group[0]!;
    const name = containerChain(containerId, networkId);
    const jumpRule = [...comment(containerComment(containerId, networkId)), '-j', name];
    const routed = group.filter((b) => b.routed);
    if (routed.length > 0) {
      const open = routed.map((b): Rule => ['-d', `${b.containerIp}/${HOST_PREFIX[family]}`, ...portMatch(b), '-j', 'ACCEPT']);
      return { chains: [{ table: 'filter', name, rules: open }], jumps: [{ table: 'filter', from: routedChain(networkId), rule: jumpRule, at: 'bottom' }] };
    }
    const unit: { chains: OwnedChain[]; jumps: Jump[] } = {
      chains: [{ table: 'nat', name, rules: group.flatMap(dnatRules) }],
      jumps: [{ table: 'nat', from: CHAINS.dnat, rule: jumpRule, at: 'bottom' }],
    };
    const guarded = group.filter((b) => family === 4 && isLoopback(b.hostIp));
    if (guarded.length > 0) {
      const rules = guarded.map((b): Rule => ['-d', `${b.hostIp}/32`, '!', '-i', 'lo', ...portMatch(b), '-j', 'DROP']);
      unit.chains.push({ table: 'raw', name, rules });
      unit.jumps.push({ table: 'raw', from: CHAINS.rawGuard, rule: jumpRule, at: 'bottom' });
    }
    return unit;
  });
}

/** A link's exceptions to ICC=false: the linking container may open the target's exposed ports. Built for the link's family. */
export function linkUnit(link: LinkRule): Unit {
  const name = linkChain(link);
  const host = HOST_PREFIX[familyOfAddress(link.targetIp)];
  const rules = link.ports.map(
    (p): Rule => ['-s', `${link.sourceIp}/${host}`, '-d', `${link.targetIp}/${host}`, '-i', link.bridge, '-o', link.bridge, '-p', p.protocol, '-m', p.protocol, '--dport', String(p.port), '-j', 'ACCEPT'],
  );
  return {
    chains: [{ table: 'filter', name, rules }],
    jumps: [{ table: 'filter', from: CHAINS.links, rule: [...comment(linkComment(link)), '-j', name], at: 'bottom' }],
  };
}
