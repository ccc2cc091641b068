import { rmSync } from 'node:fs';
import { crashPoint } from '../crash-point.js';
import type { Undoers } from '../saga.js';
import type { LeaveOptions } from '../driver.js';
import type { Endpoint, LinkRule, Network, NetworkRules, PortBinding, Sandbox } from '../types.js';
import { driverOf, ipamContext, networkRules, pluginContext, type RuntimeContext } from './context.js';
import { stopLoopbackProxy } from './loopback-proxy.js';
import { containerDir, netnsPath } from './paths.js';
import { stopProcess } from './processes.js';
import { stopSupervised } from './supervisor.js';

/**
 * Every undo action, by kind, and the teardown routines built from them.
 * All are idempotent: an undo may run after a crash, possibly for a step
 * that never happened. `system gc` runs exactly these, so the in-process
 * rollback and crash recovery share one code path.
 */
export class UndoKit {
  readonly undoers: Undoers;

  constructor(private readonly ctx: RuntimeContext) {
    const d = <T>(data: Record<string, unknown>, key: string) => data[key] as T;
    this.undoers = {
      'container.row.delete': async (data) => {
        ctx.store.containers.delete(d(data, 'id'));
        rmSync(containerDir(ctx.config.stateDir, d(data, 'id')), { recursive: true, force: true });
      },
      'netns.delete': (data) => this.deleteNetns(d(data, 'name')),
      'address.release': (data) => this.releaseAddress(d(data, 'networkId'), d(data, 'address')),
      'address.release-owner': (data) => this.releaseOwner(d(data, 'networkId'), d(data, 'owner')),
      'endpoint.row.delete': async (data) => ctx.store.endpoints.delete(d(data, 'id')),
      'endpoint.leave': (data) => this.leave(d(data, 'networkId'), d(data, 'endpoint'), d(data, 'sandbox')),
      'ports.release': async (data) => ctx.store.ports.releaseOf(d(data, 'containerId')),
      'ports.unpublish': (data) => this.unpublish(d(data, 'bindings')),
      'link.remove': (data) => this.removeLink(d(data, 'link')),
      'proxy.stop': (data) => stopLoopbackProxy(d(data, 'dir')),
      'process.stop': async (data) => void (await stopProcess(d(data, 'pid'), d(data, 'pidStart'), 1000)),
      'process.stop-supervised': async (data) => {
        await stopSupervised(d(data, 'containerId'), d(data, 'runId'), 1000);
        await ctx.groups.destroy(d(data, 'containerId'));
      },
      'cgroup.destroy': async (data) => void (await ctx.groups.destroy(d(data, 'containerId'))),
      'pool.release': (data) => this.releasePool(d(data, 'networkId'), d(data, 'ipamDriver')),
      'network.delete': (data) => this.deleteNetworkObjects(d(data, 'network')),
      'network.rules.remove': (data) => this.removeNetworkRules(d(data, 'rules')),
      'network.row.delete': async (data) => ctx.store.networks.delete(d(data, 'id')),
      'network.finish-remove': (data) => this.removeNetwork(d(data, 'network')),
      'network.shared.release': (data) => this.releaseShared(d(data, 'network')),
    };
  }

  /** Ends the executor's set-up session in it first (a rollback mid-set-up): a process left inside would keep the namespace alive. */
  async deleteNetns(name: string): Promise<void> {
    await this.ctx.exec.closeNetns?.(netnsPath(name));
    await this.ctx.exec.ip([['netns', 'delete', name]], { ignoreMissing: true });
  }

  async releaseAddress(networkId: string, address: string): Promise<void> {
    const network = this.ctx.store.networks.find(networkId);
    const pool = address.includes(':') ? network?.pool6 : network?.pool;
    if (!network || !pool) {
      this.ctx.store.addresses.release(networkId, address);
      return;
    }
    const ipam = this.ctx.registry.ipamDriver(network.ipamDriver);
    await ipam.releaseAddress(ipamContext(this.ctx, ipam.name), networkId, pool, address);
  }

  /** Everything `owner` holds in a network's pool: through its IPAM when it keeps addresses elsewhere, else in the address book. */
  async releaseOwner(networkId: string, owner: string): Promise<void> {
    const network = this.ctx.store.networks.find(networkId);
    const ipam = network?.pool ? this.ctx.registry.ipamDriver(network.ipamDriver) : undefined;
    if (network?.pool && ipam?.releaseOwner) await ipam.releaseOwner(ipamContext(this.ctx, ipam.name), networkId, network.pool, owner);
    this.ctx.store.addresses.releaseOwner(networkId, owner);
  }

  /** Drop a shared network's definition (see `NetworkDriver.shared`); nothing for a local one. */
  async releaseShared(network: Network): Promise<void> {
    const driver = driverOf(this.ctx, network);
    await driver.shared?.release(pluginContext(this.ctx, 'driver', driver.name), network);
  }

  /** The driver's leave; an undo (a rollback, gc) always removes the interface outright. */
  async leave(networkId: string, endpoint: Endpoint, sandbox: Sandbox, options: LeaveOptions = {}): Promise<void> {
    const network = this.ctx.store.networks.find(networkId);
    if (!network) return;
    const driver = driverOf(this.ctx, network);
    await driver.leave(pluginContext(this.ctx, 'driver', driver.name), network, endpoint, sandbox, options);
  }

  async unpublish(bindings: PortBinding[]): Promise<void> {
    if (!bindings.length) return;
    const publisher = await this.ctx.publisher();
    await publisher.unpublish(pluginContext(this.ctx, 'ports', publisher.name), bindings);
  }

  async removeLink(link: LinkRule): Promise<void> {
    const publisher = await this.ctx.publisher();
    await publisher.removeLink(pluginContext(this.ctx, 'ports', publisher.name), link);
  }

  /** Release both of a network's pools; a network not (yet) in the store gets placeholders, which IPAM drivers must tolerate. */
  async releasePool(networkId: string, ipamDriver: string): Promise<void> {
    const ipam = this.ctx.registry.ipamDriver(ipamDriver);
    const network = this.ctx.store.networks.find(networkId);
    const ctx = ipamContext(this.ctx, ipam.name);
    const placeholders = [{ subnet: '0.0.0.0/32', gateway: '0.0.0.0' }, { subnet: '::/128', gateway: '::' }];
    const pools = network ? [network.pool, network.pool6].filter((p) => p !== undefined) : placeholders;
    for (const pool of pools) await ipam.releasePool(ctx, networkId, pool);
  }

  async deleteNetworkObjects(network: Network): Promise<void> {
    const driver = driverOf(this.ctx, network);
    await driver.deleteNetwork(pluginContext(this.ctx, 'driver', driver.name), network);
  }

  /** Remove a network's rules from every loaded backend: the rules may predate a backend switch. */
  async removeNetworkRules(rules: NetworkRules): Promise<void> {
    for (const name of this.ctx.registry.portPublisherNames()) {
      const publisher = this.ctx.registry.portPublisher(name);
      await publisher.removeNetwork(pluginContext(this.ctx, 'ports', name), rules);
    }
  }

  /** Full, idempotent removal of a network: rules, kernel objects, pool, row. */
  async removeNetwork(network: Network): Promise<void> {
    const rules = networkRules(this.ctx, network);
    if (rules) await this.removeNetworkRules(rules);
    crashPoint('network rm: rules removed');
    await this.deleteNetworkObjects(network);
    crashPoint('network rm: kernel objects deleted');
    if (network.pool || network.pool6) await this.releasePool(network.id, network.ipamDriver);
    crashPoint('network rm: pool released');
    this.ctx.store.networks.delete(network.id);
  }
}
