import createDebug from 'debug';
import type { EventBus } from '../bus.js';
import type { Config } from '../config.js';
import type { NetworkDriver, NetworkFirewall, PluginContext } from '../driver.js';
import type { Executor } from '../exec/executor.js';
import type { IpamContext } from '../ipam.js';
import type { PortPublisher } from '../publisher.js';
import type { Registry } from '../registry.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../tokens.js';
import { ulaPool } from '../net/ula.js';
import type { Network, NetworkRules } from '../types.js';
import type { ContainerGroups } from './cgroups.js';
import type { Reaper } from './supervisor.js';

/** Everything the runtime's services share. One per runtime. */
export interface RuntimeContext {
  config: Config;
  store: Store;
  registry: Registry;
  exec: Executor;
  bus: EventBus;
  clock: Clock;
  /** The containers' cgroups (one each, under this installation's group). */
  groups: ContainerGroups;
  /** How detached containers report their exit; absent = the API user supervises. */
  reaper?: Reaper;
  /** The port backend in use, settled on first need. */
  publisher(): Promise<PortPublisher>;
}

/** The context a plugin method gets, with a logger named after the plugin kind and name. */
export function pluginContext(ctx: RuntimeContext, kind: string, name: string): PluginContext {
  return { exec: ctx.exec, log: createDebug(`ctrnet:${kind}-${name}`) };
}

/**
 * What IPAM gets. When the config names no IPv6 pool, the installation's
 * ULA /48 (derived from its id, see net/ula.ts) is appended, as Docker 27
 * appends its own to `default-address-pools`.
 */
export function ipamContext(ctx: RuntimeContext, name: string): IpamContext {
  const pools = ctx.config.defaultAddressPools;
  const hasIpv6Pool = pools.some((p) => p.base.includes(':'));
  return {
    ...pluginContext(ctx, 'ipam', name),
    addresses: ctx.store.addresses,
    defaultAddressPools: hasIpv6Pool ? pools : [...pools, ulaPool(ctx.store.settings.installationId())],
  };
}

export function driverOf(ctx: RuntimeContext, network: Network): NetworkDriver {
  return ctx.registry.networkDriver(network.driver);
}

/** What the network's driver says the firewall needs; undefined for networks without rules (host, none, macvlan). */
export function firewallOf(ctx: RuntimeContext, network: Network): NetworkFirewall | undefined {
  return driverOf(ctx, network).firewall?.(network);
}

/** The rules a port publisher installs for a network, from its driver's description; fields of a family the network lacks stay absent. */
export function networkRules(ctx: RuntimeContext, network: Network): NetworkRules | undefined {
  const fw = firewallOf(ctx, network);
  if (!fw) return undefined;
  const dnsRedirect = dnsRedirects(ctx)[network.id];
  const { subnet, gateway, gatewayMode, subnet6, gateway6, gatewayMode6 } = fw;
  const families = Object.entries({ subnet, gateway, gatewayMode, subnet6, gateway6, gatewayMode6 }).filter(([, v]) => v !== undefined);
  return {
    networkId: network.id,
    bridge: fw.device,
    internal: network.internal,
    icc: fw.icc,
    masquerade: fw.masquerade,
    ...Object.fromEntries(families),
    // The firewall redirects IPv4 DNS only (see the daemon's DNS service).
    ...(dnsRedirect && gateway ? { dnsRedirect } : {}),
  };
}

/** Store key of the resolver's port per network, where it cannot use 53. */
const DNS_REDIRECTS = 'dnsRedirects';

/** Networks whose DNS traffic the firewall redirects to the resolver's alternate port. */
export function dnsRedirects(ctx: RuntimeContext): Record<string, number> {
  const raw = ctx.store.settings.get(DNS_REDIRECTS);
  return raw ? (JSON.parse(raw) as Record<string, number>) : {};
}

export function setDnsRedirects(ctx: RuntimeContext, redirects: Record<string, number>): void {
  ctx.store.settings.set(DNS_REDIRECTS, JSON.stringify(redirects));
}
