import createDebug from 'debug';
import { CtrnetError, invalidArgument } from '../errors.js';
import { inSaga } from '../saga.js';
import type { NetworkDriver } from '../driver.js';
import type { Network, NetworkRequest } from '../types.js';
import { driverOf, ipamContext, networkRules, pluginContext, type RuntimeContext } from './context.js';
import { stableId, newId } from './ids.js';
import { findPoolLease, type PoolLease } from './pools.js';
import type { UndoKit } from './undo.js';
import { checkNetworkName, quote } from './validate.js';

const debug = createDebug('ctrnet:core:networks');

/** The networks every installation has, like Docker's `bridge`, `host` and `none`. */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const;

/** Network create / remove / lookup. Container attachment lives in attach.ts. */
export class Networks {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly undo: UndoKit,
  ) {}

  /** Every network: stored ones plus built-ins not created yet (shown like Docker shows them). */
  list(): Network[] {
    const stored = this.ctx.store.networks.all();
    const missing = BUILTIN_NETWORKS.filter((name) => !stored.some((n) => n.name === name)).map((name) => this.builtinDefinition(name));
    return [...missing, ...stored];
  }

  /** Find a network by name, id or id prefix, or throw NOT_FOUND. */
  get(nameOrId: string): Network {
    const found =
      this.ctx.store.networks.find(nameOrId) ??
      BUILTIN_NETWORKS.map((name) => this.builtinDefinition(name)).find((n) => n.name === nameOrId || n.id === nameOrId);
    if (!found) throw new CtrnetError('NOT_FOUND', `network ${quote(nameOrId)} not found; list networks with: ctrnet network ls`);
    return found;
  }

  /**
   * Bring the store in line with the networks drivers share with other hosts
   * (`NetworkDriver.shared`): import each shared network this host lacks
   * (its pool, kernel objects and rules set up here), and drop the copy of
   * one no longer shared unless containers here still use it. A store that
   * cannot be read leaves the copies as they are; a network whose name a
   * local network already has is not imported.
   */
  async sync(): Promise<void> {
    for (const driverName of this.ctx.registry.networkDriverNames()) {
      const driver = this.ctx.registry.networkDriver(driverName);
      if (!driver.shared) continue;
      let shared: Awaited<ReturnType<NonNullable<typeof driver.shared>['list']>>;
      try {
        shared = await driver.shared.list(pluginContext(this.ctx, 'driver', driverName));
      } catch (err) {
        debug('cannot list shared %s networks, keeping local copies: %s', driverName, (err as Error).message);
        continue;
      }
      // Most calls find nothing to do, and then take no lock.
      if (!this.syncPlan(driverName, shared).pending) continue;
      await this.ctx.store.lock.withLock(async () => {
        const { imports, forgets } = this.syncPlan(driverName, shared);
        for (const { network, subnet } of imports) {
          try {
            await this.create({ ...network, pool: undefined }, { subnet }, true);
          } catch (err) {
            debug('importing shared network %s failed: %s', network.name, (err as Error).message);
          }
        }
        for (const network of forgets) {
          const journal = this.ctx.store.operations.begin(`network forget ${network.name}`);
          journal.record({ kind: 'network.finish-remove', data: { network } });
          await this.undo.removeNetwork(network);
          journal.close();
          await this.ctx.bus.emit('network.remove', { network });
        }
      });
    }
  }

  /** What {@link sync} has to do for one driver: shared networks to import, local copies to drop. */
  private syncPlan(driverName: string, shared: readonly { network: Network; subnet?: string }[]) {
    const stored = this.ctx.store.networks.all().filter((n) => n.driver === driverName);
    const imports = shared.filter(({ network }) => {
      if (stored.some((n) => n.id === network.id)) return false;
      if (this.ctx.store.networks.find(network.name)?.name === network.name || isBuiltin(network.name)) {
        debug('not importing shared network %s: a local network has that name', network.name);
        return false;
      }
      return true;
    });
    const forgets = stored.filter((n) => !shared.some((s) => s.network.id === n.id) && !this.ctx.store.endpoints.ofNetwork(n.id).length);
    return { imports, forgets, pending: imports.length + forgets.length > 0 };
  }

  /** `network create`: plan, then create under the operation lock. */
  async createFromRequest(request: NetworkRequest): Promise<Network> {
    const planned = await this.plan(request);
    return this.ctx.store.lock.withLock(() => {
      // Re-checked under the lock: two concurrent creates of one name must not both pass the plan.
      if (this.ctx.store.networks.find(planned.name)?.name === planned.name) {
        throw new CtrnetError('CONFLICT', `network ${quote(planned.name)} already exists; pick another name or remove it with: ctrnet network rm ${planned.name}`);
      }
      return this.create(planned, request);
    });
  }

  /** Validate a create request completely (no side effects) and return the network to create. */
  async plan(request: NetworkRequest): Promise<Network> {
    checkNetworkName(request.name);
    if (isBuiltin(request.name) || this.ctx.store.networks.all().some((n) => n.name === request.name)) {
      throw new CtrnetError('CONFLICT', `network ${quote(request.name)} already exists; pick another name or remove it with: ctrnet network rm ${request.name}`);
    }
    const driver = this.ctx.registry.networkDriver(request.driver);
    if (!driver.userDefined) {
      throw invalidArgument(`network driver ${quote(request.driver)} cannot be used with network create; it is a built-in mode (use --net ${request.driver})`);
    }
    checkFamilies(request, driver);
    const lease = request.ipamPool === undefined ? undefined : this.adoptablePool(request, driver.usesIpam);
    const id = lease?.id ?? newId();
    const plan = driver.planNetwork(request, id);
    // Two networks on one bridge would share its addresses, and removing either would delete the other's bridge.
    const bridge = plan.driverData.bridge;
    const holder = bridge ? this.list().find((n) => n.driverData.bridge === bridge) : undefined;
    if (holder) {
      throw new CtrnetError('CONFLICT', `bridge ${quote(bridge!)} is already used by network ${holder.name}; give network ${quote(request.name)} another -o bridge_name`);
    }
    const ipamDriver = lease?.ipamDriver ?? request.ipamDriver ?? driver.ipamDriver ?? this.ctx.config.defaultIpamDriver;
    if (driver.usesIpam) this.ctx.registry.ipamDriver(ipamDriver);
    return {
      id,
      name: request.name,
      driver: driver.name,
      ipamDriver,
      internal: request.internal,
      ipv4: request.ipv4 !== false,
      ipv6: request.ipv6,
      options: plan.options,
      driverData: plan.driverData,
      created: this.ctx.clock.now().toISOString(),
      pool: undefined,
    };
  }

  /**
   * Create a planned network: shared definition, pools, kernel objects,
   * firewall rules, row; undone in reverse on failure. `imported` is a
   * shared network defined elsewhere, whose definition is not claimed again.
   */
  async create(network: Network, request: PoolFields, imported = false): Promise<Network> {
    const driver = driverOf(this.ctx, network);
    return inSaga(`network create ${network.name}`, this.undo.undoers, this.ctx.store.operations.begin(`network create ${network.name}`), async (saga) => {
      const shared = driver.shared;
      if (shared && !imported) {
        const planned = network;
        network = await saga.step('claim shared network', () => shared.claim(pluginContext(this.ctx, 'driver', driver.name), planned, request.subnet), {
          kind: 'network.shared.release',
          data: { network: planned },
        });
      }
      const lease = findPoolLease(this.ctx, network.id);
      if (driver.usesIpam) {
        const ipam = this.ctx.registry.ipamDriver(network.ipamDriver);
        const release = { kind: 'pool.release', data: { networkId: network.id, ipamDriver: network.ipamDriver } };
        if (lease) {
          // The IPv4 pool is the lease's: claimed already, released with the network (its id is the pool's).
          network.pool = lease.pool;
        } else if (network.ipv4 !== false) {
          const { subnet, ipRange, gateway } = request;
          network.pool = await saga.step('request pool', () => ipam.requestPool(ipamContext(this.ctx, ipam.name), { networkId: network.id, subnet, ipRange, gateway }), release);
        }
        if (network.ipv6) {
          const { subnet6: subnet, ipRange6: ipRange, gateway6: gateway } = request;
          network.pool6 = await saga.step('request IPv6 pool', () => ipam.requestPool(ipamContext(this.ctx, ipam.name), { networkId: network.id, family: 6, subnet, ipRange, gateway }), release);
        }
      }
      await saga.step('create network', () => driver.createNetwork(pluginContext(this.ctx, 'driver', driver.name), network), {
        kind: 'network.delete',
        data: { network },
      });
      const rules = networkRules(this.ctx, network);
      if (rules) {
        const publisher = await this.ctx.publisher();
        await saga.step('add network rules', () => publisher.addNetwork(pluginContext(this.ctx, 'ports', publisher.name), rules), {
          kind: 'network.rules.remove',
          data: { rules },
        });
      }
      await saga.step('record network', () => this.ctx.store.networks.insert(network), { kind: 'network.row.delete', data: { id: network.id } });
      await this.ctx.bus.emit('network.create', { network });
      debug('created network %s (%s)', network.name, network.id);
      return network;
    });
  }

  /** The lease a request's `ipamPool` names, checked: held, free, and consistent with the request. */
  private adoptablePool(request: NetworkRequest, usesIpam: boolean): PoolLease {
    const id = request.ipamPool!;
    const lease = findPoolLease(this.ctx, id);
    if (!lease) throw new CtrnetError('NOT_FOUND', `no such address pool: ${quote(id)}; request one with ipam.requestPool, or pass --subnet`);
    if (!usesIpam) throw invalidArgument(`driver ${quote(request.driver)} does not use address pools; drop ipamPool`);
    if (this.ctx.store.networks.find(id)?.id === id) throw new CtrnetError('CONFLICT', `address pool ${id.slice(0, 12)} is already used by another network`);
    const { pool } = lease;
    const mismatch = (request.subnet !== undefined && request.subnet !== pool.subnet) || (request.gateway !== undefined && request.gateway !== pool.gateway) || (request.ipRange !== undefined && request.ipRange !== pool.ipRange);
    if (mismatch) throw invalidArgument(`network ${quote(request.name)} asks for another subnet, gateway or ip-range than its pool ${pool.subnet} (gateway ${pool.gateway}); drop them or match the pool`);
    if (request.ipamDriver !== undefined && request.ipamDriver !== lease.ipamDriver) throw invalidArgument(`pool ${id.slice(0, 12)} belongs to IPAM driver ${lease.ipamDriver}, not ${request.ipamDriver}`);
    return lease;
  }

  /** Make sure a built-in network exists (first use creates its bridge and rules). */
  async ensureBuiltin(name: string): Promise<Network> {
    const stored = this.ctx.store.networks.find(name);
    if (stored) return stored;
    const def = this.builtinDefinition(name);
    const d = this.ctx.config.defaultNetwork;
    return this.create(def, name === 'bridge' ? { subnet: d.subnet, gateway: d.gateway, subnet6: d.subnet6, gateway6: d.gateway6 } : {});
  }

  /** Remove a network with no containers attached. */
  async remove(nameOrId: string): Promise<Network> {
    return this.ctx.store.lock.withLock(() => this.removeLocked(nameOrId));
  }

  private async removeLocked(nameOrId: string): Promise<Network> {
    const network = this.get(nameOrId);
    if (isBuiltin(network.name)) {
      throw new CtrnetError('INVALID_STATE', `${network.name} is a pre-defined network and cannot be removed`);
    }
    const attached = this.ctx.store.endpoints.ofNetwork(network.id);
    if (attached.length) {
      const names = attached.map((e) => this.ctx.store.containers.find(e.containerId)?.name ?? e.containerId.slice(0, 12));
      throw new CtrnetError('INVALID_STATE', `network ${network.name} has active endpoints (${names.join(', ')}); disconnect or remove them first`);
    }
    // Refused while other hosts use it; once the definition is gone, the local copy goes too.
    await this.undo.releaseShared(network);
    // Roll forward: once begun, a crash is finished by gc rather than undone.
    const journal = this.ctx.store.operations.begin(`network rm ${network.name}`);
    journal.record({ kind: 'network.finish-remove', data: { network } });
    await this.undo.removeNetwork(network);
    journal.close();
    await this.ctx.bus.emit('network.remove', { network });
    return network;
  }

  private builtinDefinition(name: string): Network {
    const cfg = this.ctx.config.defaultNetwork;
    const driver = name === 'bridge' ? cfg.driver : name;
    const ipv6 = name === 'bridge' && cfg.ipv6;
    const request: NetworkRequest = {
      name,
      driver,
      internal: false,
      ipv6,
      options: name === 'bridge' ? cfg.options : {},
      builtin: true,
    };
    const id = stableId(`${this.ctx.config.stateDir}\0${name}`);
    const plan = this.ctx.registry.networkDriver(driver).planNetwork(request, id);
    return {
      id,
      name,
      driver,
      ipamDriver: this.ctx.registry.networkDriver(driver).ipamDriver ?? this.ctx.config.defaultIpamDriver,
      internal: false,
      ipv4: true,
      ipv6,
      options: plan.options,
      driverData: plan.driverData,
      created: new Date(0).toISOString(),
      pool: name === 'bridge' ? { subnet: cfg.subnet, gateway: cfg.gateway ?? '' } : undefined,
    };
  }
}

/** The pool fields of a create request, both families. */
type PoolFields = Pick<NetworkRequest, 'subnet' | 'ipRange' | 'gateway' | 'subnet6' | 'ipRange6' | 'gateway6'>;

/**
 * The families a request asks for must fit together and fit the driver:
 * IPv4 or IPv6 at least, pool fields only for a family that is on, and
 * IPv6 only from drivers that support it. Pure.
 */
function checkFamilies(request: NetworkRequest, driver: NetworkDriver): void {
  const name = quote(request.name);
  const v4 = [request.subnet, request.ipRange, request.gateway].some((v) => v !== undefined);
  const v6 = [request.subnet6, request.ipRange6, request.gateway6].some((v) => v !== undefined);
  if (request.ipv4 === false && !request.ipv6) throw invalidArgument(`network ${name} would have no addresses at all with --ipv4=false; add --ipv6 for an IPv6-only network`);
  if (request.ipv4 === false && v4) throw invalidArgument(`network ${name} is IPv6-only (--ipv4=false); drop the IPv4 --subnet/--ip-range/--gateway`);
  if (!request.ipv6 && v6) {
    const given = request.subnet6 ?? request.gateway6 ?? request.ipRange6;
    throw invalidArgument(`IPv6 address ${quote(given!)} given for network ${name} without --ipv6; add --ipv6 or drop it`);
  }
  if (request.ipv6 && driver.ipv6 !== true) throw invalidArgument(`network driver ${quote(driver.name)} does not support IPv6; drop --ipv6`);
  if (!driver.usesIpam && (v4 || v6)) throw invalidArgument(`driver ${quote(request.driver)} does not use address pools; drop --subnet/--ip-range/--gateway`);
  if (!request.subnet && (request.ipRange || request.gateway)) {
    throw invalidArgument(`--ip-range and --gateway need --subnet for network ${name}; add --subnet CIDR`);
  }
  if (!request.subnet6 && (request.ipRange6 || request.gateway6)) {
    throw invalidArgument(`an IPv6 --ip-range or --gateway needs an IPv6 --subnet for network ${name}; add --subnet V6CIDR`);
  }
}

function isBuiltin(name: string): name is (typeof BUILTIN_NETWORKS)[number] {
  return (BUILTIN_NETWORKS as readonly string[]).includes(name);
}
