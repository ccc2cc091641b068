/**
 * The world of one kernel check of a network driver: a fresh driver "on the
 * host" inside a fresh host namespace, with its network planned but not yet
 * created. Shared by the IPv4 and IPv6 kernel checks.
 */
import type { AddressPool, Network, NetworkDriver, PluginContext } from '@ctrnet/core';
import type { TestNamespaces } from '../namespaces.js';
import type { NetnsHandle } from '../netns.js';
import { plannedNetwork, type NetworkFamilies } from './driver-fixtures.js';
import { hostContext } from './harness.js';
import { linkInventory } from './kernel-view.js';
import type { NetworkDriverSuiteOptions } from './network-driver.js';

export interface DriverEnvConfig {
  tn: TestNamespaces;
  name: string;
  factory: () => NetworkDriver;
  pool: AddressPool;
  networkOptions: Record<string, string>;
  prepareHost: NetworkDriverSuiteOptions['prepareHost'];
}

export interface DriverEnv {
  driver: NetworkDriver;
  host: NetnsHandle;
  ctx: PluginContext;
  network: Network;
  gatewayNetns: NetnsHandle | false;
  /** The host's interfaces before the network was created. */
  hostBefore: string[];
}

export async function driverEnv(c: DriverEnvConfig, families: NetworkFamilies = {}): Promise<DriverEnv> {
  const host = await c.tn.createHost();
  const setup = (await c.prepareHost?.({ tn: c.tn, host, pool: c.pool })) ?? {};
  const driver = c.factory();
  return {
    driver,
    host,
    ctx: hostContext(host, c.name),
    network: plannedNetwork(driver, c.pool, { ...c.networkOptions, ...setup.options }, families),
    gatewayNetns: setup.gatewayNetns ?? host,
    hostBefore: await linkInventory(host),
  };
}
