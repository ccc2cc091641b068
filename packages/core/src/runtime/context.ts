import createDebug from 'debug';
import type { EventBus } from '../bus.js';
import type { Config } from '../config.js';
import type { NetworkDriver, PluginContext } from '../driver.js';
import type { Executor } from '../exec/executor.js';
import type { IpamContext } from '../ipam.js';
import type { PortPublisher } from '../publisher.js';
import type { Registry } from '../registry.js';
import type { Store } from '../store/store.js';
import type { Network, NetworkRules } from '../types.js';
import type { Reaper } from './process.js';

/** Everything the runtime's services share. One per process (or per API user). */
export interface RuntimeContext {
  config: Config;
  store: Store;
  registry: Registry;
  exec: Executor;
  bus: EventBus;
  /** How detached containers report their exit; absent = the API user supervises. */
  reaper?: Reaper;
  /** The port backend in use, settled on first need. */
  publisher(): Promise<PortPublisher>;
}

/** The context a plugin method gets, with a logger named after the plugin kind and name. */
export function pluginContext(ctx: RuntimeContext, kind: string, name: string): PluginContext {
  return { exec: ctx.exec, log: createDebug(`ctrnet:${kind}-${name}`) };
}

export function ipamContext(ctx: RuntimeContext, name: string): IpamContext {
  return {
    ...pluginContext(ctx, 'ipam', name),
    addresses: ctx.store.addresses,
    defaultAddressPools: ctx.config.defaultAddressPools,
  };
}

export function driverOf(ctx: RuntimeContext, network: Network): NetworkDriver {
  return ctx.registry.networkDriver(network.driver);
}

/** The firewall view of a network, for networks that own a bridge (others have no rules). */
export function networkRules(network: Network): NetworkRules | undefined {
  const bridge = network.driverData.bridge;
  if (!bridge || !network.pool) return undefined;
  return {
    networkId: network.id,
    bridge,
    subnet: network.pool.subnet,
    gateway: network.pool.gateway,
    internal: network.internal,
    icc: network.options.icc !== 'false',
    masquerade: network.options.masquerade !== 'false',
  };
}
