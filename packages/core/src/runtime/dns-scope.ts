/**
 * Which networks ctrnet's embedded resolver serves, and what it must know
 * to answer: the name table, a plain read model the resident resolver turns
 * into its view. As in Docker, user-defined networks get names; the default
 * network keeps the host's resolv.conf.
 */
import { readFileSync } from 'node:fs';
import type { Network } from '../types.js';
import { firewallOf, type RuntimeContext } from './context.js';
import type { ContainerSpec } from './spec.js';

/** One container's attachment, as the resolver sees it. */
export interface NameEntry {
  id: string;
  name: string;
  aliases: string[];
  ipv4?: string;
  ipv6?: string;
  links: { alias: string; target: string }[];
  dns: string[];
}

/** One served network: where the resolver answers for it and who is on it. */
export interface NameNetwork {
  id: string;
  name: string;
  internal: boolean;
  /** The resolver's addresses for this network: its gateways. */
  listen: string[];
  containers: NameEntry[];
}

export interface NameTable {
  networks: NameNetwork[];
  /** The host's resolvers (its resolv.conf's nameservers), which the resolver forwards to. */
  upstream: string[];
}

/** The built-in default network's name: it keeps the host's resolv.conf, as Docker's default bridge does. */
const DEFAULT_NETWORK = 'bridge';

/**
 * Where the resolver listens for `network`, IPv4 first; empty when it does
 * not serve it. It serves user-defined networks whose driver puts a gateway
 * on a host device, when a daemon may run it (with `daemon: never` nothing
 * would answer, so containers keep the host's resolvers, as on the default
 * network). The addresses are the driver's, not the pools' gateways: in
 * gateway mode `isolated` a family's gateway is on no interface, and cannot
 * be bound.
 */
function listenAddresses(ctx: RuntimeContext, network: Network): string[] {
  if (ctx.config.daemon === 'never' || network.name === DEFAULT_NETWORK) return [];
  const fw = firewallOf(ctx, network);
  return [fw?.gateway, fw?.gateway6].filter((g): g is string => Boolean(g));
}

/** The resolver's address for a container whose first network is `network` (its resolv.conf's nameserver), or undefined when none serves it. */
export function resolverOf(ctx: RuntimeContext, network: Network): string | undefined {
  return listenAddresses(ctx, network)[0];
}

/** Whether any running container is on a network the resolver serves: then a daemon must run. */
export function resolverNeeded(ctx: RuntimeContext): boolean {
  return nameTable(ctx).networks.some((n) => n.containers.length > 0);
}

export function nameTable(ctx: RuntimeContext): NameTable {
  const networks: NameNetwork[] = [];
  for (const network of ctx.store.networks.all()) {
    const listen = listenAddresses(ctx, network);
    if (listen.length === 0) continue;
    const containers: NameEntry[] = [];
    for (const endpoint of ctx.store.endpoints.ofNetwork(network.id)) {
      const c = ctx.store.containers.find<ContainerSpec>(endpoint.containerId);
      if (!c || (c.status !== 'running' && c.status !== 'paused')) continue;
      containers.push({
        id: c.id,
        name: c.name,
        // Docker also answers for the 12-character short id.
        aliases: [...(endpoint.aliases ?? []), c.id.slice(0, 12)],
        ipv4: endpoint.ipv4,
        ipv6: endpoint.ipv6,
        links: c.spec.links.map(([target, alias]) => ({ alias, target })),
        dns: c.spec.dns,
      });
    }
    networks.push({ id: network.id, name: network.name, internal: network.internal, listen, containers });
  }
  return { networks, upstream: ctx.config.dns ?? hostNameservers() };
}

function hostNameservers(): string[] {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((ns): ns is string => ns !== undefined);
  } catch {
    return [];
  }
}
