/**
 * The set and map elements that stand for a network, a published port or a
 * link. Elements are strings in exactly the form nft prints them, so what
 * ctrnet wrote can be compared with what the kernel holds.
 */
import { cidrRange, invalidArgument, networkOf, type LinkRule, type NetworkRules, type PortBinding } from '@ctrnet/core';
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
 * and a /32 as a plain address.
 */
export function prefix(cidr: string): string {
  const network = networkOf(cidr);
  return cidrRange(network).prefix === 32 ? network.split('/')[0]! : network;
}

/** The key of an element: for a map, the part before ` : `. */
export function elementKey(element: string): string {
  const i = element.indexOf(' : ');
  return i < 0 ? element : element.slice(0, i);
}

/**
 * Per-network elements. The flag-dependent ones a network does not have are
 * listed as `absent` so re-adding a network whose options changed removes
 * what no longer applies.
 */
export function networkElements(network: NetworkRules): NetworkElements {
  const bridge = ifname(network.bridge);
  const subnet = prefix(network.subnet);
  const present: Record<string, string[]> = {
    bridges: [bridge],
    subnets: [subnet],
    gateways: [network.gateway],
    subnetBridges: [`${subnet} . ${bridge}`],
  };
  const absent: Record<string, string[]> = {};
  // The resolver's alternate port: DNS to the gateway is translated like a published port of the host's own.
  if (network.dnsRedirect) present.dnat4 = ['udp', 'tcp'].map((proto) => `${network.gateway} . ${proto} . 53 : ${network.gateway} . ${network.dnsRedirect}`);
  const optional: Array<[SetRole, string, boolean]> = [
    ['masqueradeSubnets', subnet, network.masquerade && !network.internal],
    ['internalBridges', bridge, network.internal],
    ['iccBridges', `${bridge} . ${bridge}`, network.icc],
  ];
  for (const [role, element, wanted] of optional) (wanted ? present : absent)[role] = [element];
  return { present: ordered(present), absent: ordered(absent) };
}

/** Every element a network may own, whatever its options: what removing it deletes. */
export function allNetworkElements(network: NetworkRules): Elements {
  const { present, absent } = networkElements(network);
  return mergeElements(present, absent);
}

/**
 * Map elements for published ports. Two bindings may share an element
 * (repeated in one call); two that claim the same host port for different
 * containers are refused before anything reaches the kernel.
 */
export function bindingElements(bindings: readonly PortBinding[]): Elements {
  const dnat4 = new Map<string, string>();
  const dnat4Any = new Map<string, string>();
  for (const b of bindings) {
    const any = b.hostIp === '0.0.0.0';
    const key = any ? `${b.protocol} . ${b.hostPort}` : `${b.hostIp} . ${b.protocol} . ${b.hostPort}`;
    const element = `${key} : ${b.containerIp} . ${b.containerPort}`;
    const map = any ? dnat4Any : dnat4;
    const previous = map.get(key);
    if (previous !== undefined && previous !== element) {
      throw invalidArgument(
        `host port ${b.hostIp}:${b.hostPort}/${b.protocol} is bound twice, to ${previous.split(' : ')[1]!.replace(' . ', ':')} and to ${b.containerIp}:${b.containerPort}; publish each host port once`,
      );
    }
    map.set(key, element);
  }
  return ordered({ dnat4: [...dnat4.values()], dnat4Any: [...dnat4Any.values()] });
}

/** Link elements: one per exposed port of the target. */
export function linkElements(link: LinkRule): Elements {
  return ordered({ links: link.ports.map((p) => `${link.sourceIp} . ${link.targetIp} . ${p.protocol} . ${p.port}`) });
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
