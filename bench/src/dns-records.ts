/**
 * The records both resolvers get in the DNS section: one network of `size`
 * containers, the querying client among them (both resolvers scope a
 * query by its source address, so the client must be a member), written
 * once as ctrnet's {@link DnsView} and once as aardvark-dns's config file.
 */
import type { DnsView } from '@ctrnet/dns';

/** The bench's subnet, inside its own namespaces only: gateways 10.249.0.1-4, the client .0.10, the others from .1.1 on. */
export const DNS_SUBNET = { prefix: 16, client: '10.249.0.10', gateway: (k: number): string => `10.249.0.${k + 1}` };
export const NETWORK_NAME = 'bench';

export interface Member {
  id: string;
  name: string;
  ipv4: string;
}

/** The client plus size − 1 others; ids are 64 hex digits like a real engine's. */
export function members(size: number): Member[] {
  const id = (i: number): string => i.toString(16).padStart(64, '0');
  const list: Member[] = [{ id: id(0), name: 'client', ipv4: DNS_SUBNET.client }];
  for (let i = 1; i < size; i++) list.push({ id: id(i), name: `ctr-${i}`, ipv4: `10.249.${(256 + i) >> 8}.${(256 + i) & 255}` });
  return list;
}

/** The name every run asks for: a container in the middle of the network, the same for both resolvers. */
export function queriedName(size: number): string {
  return size > 1 ? `ctr-${Math.floor(size / 2)}` : 'client';
}

/** What ctrnetd would build from its store for this network (no upstream: nothing is forwarded). */
export function ctrnetView(size: number, gateway: string): DnsView {
  const containers = members(size).map((m) => ({ ...m, aliases: [] }));
  return { upstream: [], networks: [{ id: NETWORK_NAME, name: NETWORK_NAME, internal: false, listen: [gateway], containers }] };
}

/**
 * aardvark-dns 1.4's config file for the network (the file is named after
 * the network; `src/config/mod.rs`): the first line the gateway IPs,
 * comma-separated, and no second column (no network DNS servers); then one
 * line per container, `ID IPV4S IPV6S NAMES`, single spaces, empty IPv6 list.
 */
export function aardvarkConfig(size: number, gateway: string): string {
  return `${gateway}\n${members(size).map((m) => `${m.id} ${m.ipv4}  ${m.name}`).join('\n')}\n`;
}
