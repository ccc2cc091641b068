/**
 * The rule layout, as pure builders from core's data to {@link Unit}s. The
 * shape follows Docker's and CNI's iptables layouts (see README.md):
 *
 * - raw PREROUTING → CTRNET-RAW → per network: drop packets for the subnet
 *   that did not come from its bridge (direct routing from the LAN), and
 *   packets for 127/8 that did (route_localnet is on for the bridge);
 *   per container with a 127.x binding: drop that port unless it came on lo.
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
 */
import { cidrContains, networkOf, type LinkRule, type NetworkRules, type PortBinding } from '@ctrnet/core';
import type { Jump, OwnedChain, Rule, Unit } from './model.js';
import {
  BASE_COMMENT,
  CHAINS,
  MASQUERADE_MARK,
  containerChain,
  containerComment,
  linkChain,
  linkComment,
  networkChain,
  networkComment,
} from './names.js';

function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', text];
}

const LOCAL_DST = ['-m', 'addrtype', '--dst-type', 'LOCAL'];

/** The dispatch chains and the jumps from built-in chains; shared by every network and container. */
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

/** A network's rules: direct-routing guard (raw), masquerade (nat), forwarding policy (filter). */
export function networkUnit(network: NetworkRules): Unit {
  const { bridge: br, subnet, internal, icc } = network;
  const name = networkChain(network.networkId);
  const tag = comment(networkComment(network.networkId));

  const raw: Rule[] = [
    // Docker 28's fix: nobody but the bridge may send to container addresses.
    // The host's own address on the bridge stays reachable, as with Docker.
    ['-d', subnet, '!', '-i', br, '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '-j', 'DROP'],
    // route_localnet=1 would otherwise let containers reach the host's 127.0.0.1 services.
    ['-d', '127.0.0.0/8', '-i', br, '-j', 'DROP'],
  ];

  const nat: Rule[] = [];
  if (network.masquerade && !internal) nat.push(['-s', subnet, '!', '-o', br, '-j', 'MASQUERADE']);
  // Localhost and hairpin connections were marked in CTRNET-DNAT; without
  // masquerading, the container's reply would not come back through the host.
  if (!internal) nat.push(['-o', br, '-m', 'mark', '--mark', MASQUERADE_MARK, '-j', 'MASQUERADE']);

  const filter: Rule[] = [];
  // Nothing reaches an internal network's published ports. Forwarded
  // connections meet the drops below anyway; this rule is for the host's own
  // (see the OUTPUT jump).
  if (internal) filter.push(['-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'DROP']);
  filter.push(['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  // Published ports: a connection into the bridge that ctrnet's DNAT made.
  if (!internal) filter.push(['-o', br, '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT']);
  if (!icc) filter.push(['-i', br, '-o', br, '-j', CHAINS.links]);
  filter.push(['-i', br, '-o', br, '-j', icc ? 'ACCEPT' : 'DROP']);
  // Everything else into the bridge: other ctrnet bridges (isolation) and the outside.
  filter.push(['-o', br, '-j', 'DROP']);
  filter.push(['-i', br, '-j', internal ? 'DROP' : 'ACCEPT']);

  const jumps: Jump[] = [
    { table: 'raw', from: CHAINS.rawGuard, rule: [...tag, '-j', name], at: 'bottom' },
    { table: 'nat', from: CHAINS.postrouting, rule: [...tag, '-j', name], at: 'bottom' },
    // Inbound jumps stay above every egress jump: traffic from one ctrnet
    // bridge to another meets the target's drop before the source's accept.
    { table: 'filter', from: CHAINS.forward, rule: ['-o', br, ...tag, '-j', name], at: 'top' },
    { table: 'filter', from: CHAINS.forward, rule: ['-i', br, ...tag, '-j', name], at: 'bottom' },
  ];
  if (network.dnsRedirect) {
    // The resolver's alternate port (a host DNS server holds 53): the network's DNS traffic to the gateway goes there.
    for (const proto of ['udp', 'tcp']) {
      const to = `${network.gateway}:${network.dnsRedirect}`;
      jumps.push({ table: 'nat', from: CHAINS.dnat, rule: ['-i', br, '-d', network.gateway, '-p', proto, '--dport', '53', ...tag, '-j', 'DNAT', '--to-destination', to], at: 'top' });
    }
  }
  if (internal) {
    // The host's connections to published ports are DNATed in nat OUTPUT and
    // never cross FORWARD. Filter OUTPUT sees the new destination but still
    // the old output interface (lo), hence the match on the subnet.
    jumps.push({ table: 'filter', from: 'OUTPUT', rule: ['-d', networkOf(subnet), '-m', 'conntrack', '--ctstate', 'DNAT', ...tag, '-j', name], at: 'bottom' });
  }

  return {
    chains: [
      { table: 'raw', name, rules: raw },
      { table: 'nat', name, rules: nat },
      { table: 'filter', name, rules: filter },
    ],
    jumps,
  };
}

function isLoopback(ip: string): boolean {
  return cidrContains('127.0.0.0/8', ip);
}

function portMatch(b: PortBinding): string[] {
  return ['-p', b.protocol, '-m', b.protocol, '--dport', String(b.hostPort)];
}

/** nat rules of one binding: CNI's mark-then-DNAT. */
function dnatRules(b: PortBinding): Rule[] {
  const dst = b.hostIp === '0.0.0.0' ? [] : ['-d', `${b.hostIp}/32`];
  const rules: Rule[] = [];
  if (b.hostIp === '0.0.0.0' || isLoopback(b.hostIp)) {
    rules.push(['-s', '127.0.0.0/8', ...dst, ...portMatch(b), '-j', 'MARK', '--set-xmark', MASQUERADE_MARK]);
  }
  if (!isLoopback(b.hostIp)) {
    // Hairpin: from the container's own bridge. Never matches on the OUTPUT path (no input interface).
    rules.push(['-i', b.bridge, ...dst, ...portMatch(b), '-j', 'MARK', '--set-xmark', MASQUERADE_MARK]);
  }
  rules.push([...dst, ...portMatch(b), '-j', 'DNAT', '--to-destination', `${b.containerIp}:${b.containerPort}`]);
  return rules;
}

/**
 * One unit per (container, network): a nat chain with the DNAT rules and,
 * for ports bound to a 127.x address, a raw chain that keeps other
 * interfaces from reaching them.
 */
export function containerUnits(bindings: readonly PortBinding[]): Unit[] {
  const groups = new Map<string, PortBinding[]>();
  for (const b of bindings) {
    const key = `${b.containerId}/${b.networkId}`;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  return [...groups.values()].map((group) => {
    const { containerId, networkId } = group[0]!;
    const name = containerChain(containerId, networkId);
    const jumpRule = [...comment(containerComment(containerId, networkId)), '-j', name];
    const unit: { chains: OwnedChain[]; jumps: Jump[] } = {
      chains: [{ table: 'nat', name, rules: group.flatMap(dnatRules) }],
      jumps: [{ table: 'nat', from: CHAINS.dnat, rule: jumpRule, at: 'bottom' }],
    };
    const guarded = group.filter((b) => isLoopback(b.hostIp));
    if (guarded.length > 0) {
      const rules = guarded.map((b): Rule => ['-d', `${b.hostIp}/32`, '!', '-i', 'lo', ...portMatch(b), '-j', 'DROP']);
      unit.chains.push({ table: 'raw', name, rules });
      unit.jumps.push({ table: 'raw', from: CHAINS.rawGuard, rule: jumpRule, at: 'bottom' });
    }
    return unit;
  });
}

/** A link's exceptions to ICC=false: the linking container may open the target's exposed ports. */
export function linkUnit(link: LinkRule): Unit {
  const name = linkChain(link);
  const rules = link.ports.map(
    (p): Rule => ['-s', `${link.sourceIp}/32`, '-d', `${link.targetIp}/32`, '-i', link.bridge, '-o', link.bridge, '-p', p.protocol, '-m', p.protocol, '--dport', String(p.port), '-j', 'ACCEPT'],
  );
  return {
    chains: [{ table: 'filter', name, rules }],
    jumps: [{ table: 'filter', from: CHAINS.links, rule: [...comment(linkComment(link)), '-j', name], at: 'bottom' }],
  };
}
