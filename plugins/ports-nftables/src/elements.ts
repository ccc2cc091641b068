/**
 * The set and map elements that stand for a network, a published port or a
 * link. Elements are strings in exactly the form nft prints them, so what
 * ctrnet wrote can be compared with what the kernel holds.
 */
import { cidr6Range, cidrRange, invalidArgument, networkOf, type GatewayMode, type LinkRule, type NetworkRules, type PortBinding } from '@ctrnet/core';
import { SET_ROLES, type SetRole } from './layout.js';

/** Elements per set or map; a map element is `key : data`. */
export type Elements = Partial<Record<SetRole, readonly string[]>>;

/** A network's elements: those its options call for, and those they rule out (removed on refresh). */
export interface NetworkElements {
  present: Elements;
  absent: Elements;
}

/** Interface names are quoted in nft syntax. */
export function ifname(name: string): string {
  return `"${name}"`;
}

/**
 * A subnet as nft stores and prints it: host bits cleared (nft would turn
 * 10.1.0.5/24 into 10.1.0.0/24, and a removal must name what was stored),
 * IPv6 in canonical form, and a host prefix (/32, /128) as a plain address.
 */
export function prefix(cidr: string): string {
  const network = networkOf(cidr);
  const host = network.includes(':') ? cidr6Range(network).prefix === 128 : cidrRange(network).prefix === 32;
  return host ? network.split('/')[0]! : network;
}

/** The key of an element: for a map, the part before ` : `. */
export function elementKey(element: string): string {
  const i = element.indexOf(' : ');
  return i < 0 ? element : element.slice(0, i);
}

/** The per-family view of a network and the sets each family's facts go to. */
interface FamilyView {
  subnet(n: NetworkRules): string | undefined;
  gateway(n: NetworkRules): string | undefined;
  mode(n: NetworkRules): GatewayMode | undefined;
  roles: Record<'subnets' | 'gateways' | 'subnetBridges' | 'masqueradeSubnets' | 'openSubnets' | 'routedSubnets', SetRole>;
}

const FAMILIES: readonly FamilyView[] = [
  {
    subnet: (n: NetworkRules) => n.subnet,
    gateway: (n: NetworkRules) => n.gateway,
    mode: (n: NetworkRules) => n.gatewayMode,
    roles: { subnets: 'subnets', gateways: 'gateways', subnetBridges: 'subnetBridges', masqueradeSubnets: 'masqueradeSubnets', openSubnets: 'openSubnets', routedSubnets: 'routedSubnets' },
  },
  {
    subnet: (n: NetworkRules) => n.subnet6,
    gateway: (n: NetworkRules) => n.gateway6,
    mode: (n: NetworkRules) => n.gatewayMode6,
    roles: { subnets: 'subnets6', gateways: 'gateways6', subnetBridges: 'subnetBridges6', masqueradeSubnets: 'masqueradeSubnets6', openSubnets: 'openSubnets6', routedSubnets: 'routedSubnets6' },
  },
];

/**
 * Per-network elements. The flag-dependent ones a network does not have are
 * listed as `absent` so re-adding a network whose options changed removes
 * what no longer applies.
 */
export function networkElements(network: NetworkRules): NetworkElements {
  const bridge = ifname(network.bridge);
  const present: Record<string, string[]> = { bridges: [bridge] };
  const absent: Record<string, string[]> = {};
  // The resolver's alternate port: DNS to the gateway is translated like a published port of the host's own.
  if (network.dnsRedirect && network.gateway) present.dnat4 = ['udp', 'tcp'].map((proto) => `${network.gateway} . ${proto} . 53 : ${network.gateway} . ${network.dnsRedirect}`);
  const optional: Array<[SetRole, string, boolean]> = [
    ['internalBridges', bridge, network.internal],
    ['iccBridges', `${bridge} . ${bridge}`, network.icc],
  ];
  for (const family of FAMILIES) {
    const subnetOf = family.subnet(network);
    if (subnetOf === undefined) continue;
    const subnet = prefix(subnetOf);
    const gateway = family.gateway(network);
    const mode: GatewayMode = family.mode(network) ?? 'nat';
    const nat = mode === 'nat' || mode === 'nat-unprotected';
    (present[family.roles.subnetBridges] ??= []).push(`${subnet} . ${bridge}`);
    if (gateway !== undefined) (present[family.roles.gateways] ??= []).push(gateway);
    optional.push(
      [family.roles.subnets, subnet, mode === 'nat' || mode === 'isolated' || network.internal],
      [family.roles.masqueradeSubnets, subnet, network.masquerade && !network.internal && nat],
      [family.roles.openSubnets, subnet, mode === 'nat-unprotected' && !network.internal],
      [family.roles.routedSubnets, subnet, mode === 'routed' && !network.internal],
    );
  }
  for (const [role, element, wanted] of optional) ((wanted ? present : absent)[role] ??= []).push(element);
  return { present: ordered(present), absent: ordered(absent) };
}



/** Every element a network may own, whatever its options: what removing it deletes. */
export function allNetworkElements(network: NetworkRules): Elements {
  const { present, absent } = networkElements(network);
  return mergeElements(present, absent);
}

/**
 * Elements for published ports: a DNAT map element per NATed port, in the
 * map of its family and host address, or a `routed-ports` element per
 * routed one. A port on [::1] gets none: core's loopback proxy serves it.
 * Two bindings may share an element (repeated in one call); two that claim
 * the same host port for different containers are refused before anything
 * reaches the kernel.
 */
export function bindingElements(bindings: readonly PortBinding[]): Elements {
  const maps: Partial<Record<SetRole, Map<string, string>>> = {};
  for (const b of bindings) {
    const v6 = b.containerIp.includes(':');
    if (b.routed) {
      const element = `${b.containerIp} . ${b.protocol} . ${b.containerPort}`;
      (maps[v6 ? 'routedPorts6' : 'routedPorts'] ??= new Map()).set(element, element);
      continue;
    }
    if (b.hostIp === '::1') continue;
    const any = b.hostIp === (v6 ? '::' : '0.0.0.0');
    const role: SetRole = v6 ? (any ? 'dnat6Any' : 'dnat6') : any ? 'dnat4Any' : 'dnat4';
    const key = any ? `${b.protocol} . ${b.hostPort}` : `${b.hostIp} . ${b.protocol} . ${b.hostPort}`;
    const element = `${key} : ${b.containerIp} . ${b.containerPort}`;
    const map = (maps[role] ??= new Map());
    const previous = map.get(key);
    if (previous !== undefined && previous !== element) {
      throw invalidArgument(
        `host port ${b.hostIp}:${b.hostPort}/${b.protocol} is bound twice, to ${previous.split(' : ')[1]!.replace(' . ', ':')} and to ${b.containerIp}:${b.containerPort}; publish each host port once`,
      );
    }
    map.set(key, element);
  }
  return ordered(Object.fromEntries(Object.entries(maps).map(([role, map]) => [role, [...map.values()]])));
}

/** Link elements: one per exposed port of the target, in the set of the link's family. */
export function linkElements(link: LinkRule): Elements {
  const role: SetRole = link.targetIp.includes(':') ? 'links6' : 'links';
  return ordered({ [role]: link.ports.map((p) => `${link.sourceIp} . ${link.targetIp} . ${p.protocol} . ${p.port}`) });
}

/** Union of element lists, first occurrence first, duplicates dropped. */
export function mergeElements(...lists: readonly Elements[]): Elements {
  const merged: Record<string, string[]> = {};
  for (const role of SET_ROLES) {
    const all = lists.flatMap((l) => l[role] ?? []);
    if (all.length > 0) merged[role] = all;
  }
  return ordered(merged);
}

/** Drops empty lists and duplicates, in {@link SET_ROLES} order, so equal content compares equal. */
function ordered(elements: Partial<Record<string, readonly string[]>>): Elements {
  const out: Record<string, string[]> = {};
  for (const role of SET_ROLES) {
    const list = elements[role];
    if (list && list.length > 0) out[role] = [...new Set(list)];
  }
  return out as Elements;
}
