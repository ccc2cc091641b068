// tsyringe insists on the Reflect metadata polyfill being loaded before it.
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { EventBus } from '../bus.js';
import { CtrnetError, isCtrnetError } from '../errors.js';
import { loadConfig, type Config } from '../config.js';
import type { ConfigInputs } from '../config-location.js';
import { ExecaExecutor } from '../exec/execa-executor.js';
import { loadPlugins, type Preloaded } from '../loader.js';
import type { PortPublisher } from '../publisher.js';
import { Registry } from '../registry.js';
import { Store } from '../store/store.js';
import { CLOCK, CONFIG, EVENT_BUS, EXECUTOR, REGISTRY, STORE } from '../tokens.js';
import { Attacher } from './attach.js';
import { Connections } from './connect.js';
import { Containers } from './containers.js';
import type { RuntimeContext } from './context.js';
import { Networks } from './networks.js';
import { NetnsMaker } from './netns-maker.js';
import { ContainerGroups } from './cgroups.js';
import type { Reaper } from './supervisor.js';
import { choosePublisher } from './publisher-choice.js';
import { Pools } from './pools.js';
import { Sandboxes } from './sandboxes.js';
import { System } from './system.js';
import { UndoKit } from './undo.js';
import { journalEvents } from './event-journal.js';
import createDebug from 'debug';
import type { PluginService } from '../service.js';
import { stableId } from './ids.js';

export interface RuntimeOptions extends ConfigInputs {
  /**
   * A DI container holding replacements for any of core's tokens (CONFIG,
   * STORE, EXECUTOR, REGISTRY, EVENT_BUS, CLOCK); every token it does not
   * hold gets core's default. Plugins never see it.
   */
  container?: DependencyContainer;
  /** How detached containers report their exit (the CLI and the daemon set this). */
  reaper?: Omit<Reaper, 'stateDir'>;
  /** Plugin modules linked into the host program, by package name (see loadPlugins). */
  preloaded?: Preloaded;
  /** Version reported by `system info`: the host program's release. */
  version: string;
}

/**
 * Every port backend named (in the config file and in the environment, even
 * the one the other overrides) must be a loaded publisher; otherwise only
 * commands that publish would notice, or nothing would until the override goes.
 */
function checkPortBackend(config: Config, registry: Registry): void {
  const names = registry.portPublisherNames();
  for (const { name, source } of config.portBackendsNamed) {
    if (name !== 'auto' && !names.includes(name)) {
      throw new CtrnetError('INVALID_CONFIG', `unknown port backend ${JSON.stringify(name)} (set by ${source}); valid: auto, ${names.join(', ') || '(no port publisher plugin loaded)'}`);
    }
  }
}

/**
 * The default network is planned from the config on first use; plan it now
 * (a pure step) so a bad `defaultNetwork.options` value fails every command,
 * naming the config key, before anything is touched.
 */
function checkDefaultNetworkOptions(config: Config, registry: Registry): void {
  const { driver, options } = config.defaultNetwork;
  if (!registry.networkDriverNames().includes(driver)) return;
  const request = { name: 'bridge', driver, internal: false, ipv6: config.defaultNetwork.ipv6, options, builtin: true };
  try {
    registry.networkDriver(driver).planNetwork(request, stableId('config check'));
  } catch (err) {
    if (!isCtrnetError(err, 'INVALID_ARGUMENT')) throw err;
    throw new CtrnetError('INVALID_CONFIG', `invalid config ${config.source ?? ''}: key "defaultNetwork.options": ${err.message}`, { cause: err });
  }
}

/** The registered instance of `token`, or `make()` registered as it. */
function part<T>(container: DependencyContainer, token: InjectionToken<T>, make: () => T): T {
  if (!container.isRegistered(token, true)) container.registerInstance(token, make());
  return container.resolve(token);
}

/**
 * ctrnet's runtime: one per state dir, composed of the parts named by core's
 * tokens. Front-ends do not use it directly but through the runtime API
 * (`LocalApi`), which validates requests and shapes responses.
 */
export class Runtime {
  readonly networks: Networks;
  readonly containers: Containers;
  readonly connections: Connections;
  readonly system: System;
  /** Namespaces of other engines attached to ctrnet networks (CNI, OCI hooks, Docker). */
  readonly sandboxes: Sandboxes;
  /** Address pools held for engines with an IPAM protocol of their own (Docker's IpamDriver). */
  readonly pools: Pools;
  /** Containers' network namespaces, and the pool of ready ones ctrnetd keeps ({@link NetnsMaker.start}). */
  readonly namespaces: NetnsMaker;

  private constructor(readonly ctx: RuntimeContext, readonly version: string) {
    const undo = new UndoKit(ctx);
    this.networks = new Networks(ctx, undo);
    this.namespaces = new NetnsMaker(ctx);
    const attacher = new Attacher(ctx, this.networks, undo, this.namespaces);
    this.containers = new Containers(ctx, this.networks, attacher, undo, ctx.groups);
    this.connections = new Connections(ctx, this.networks, this.containers, attacher, undo);
    this.sandboxes = new Sandboxes(ctx, this.networks, attacher, undo);
    this.pools = new Pools(ctx, undo);
    this.system = new System(ctx, this.containers, attacher, undo, version, this.sandboxes, this.pools);
  }

  static async open(options: RuntimeOptions): Promise<Runtime> {
    const di = (options.container ?? rootContainer).createChildContainer();
    const config = part(di, CONFIG, () => loadConfig(options));
    const bus = part(di, EVENT_BUS, () => new EventBus());
    const exec = part(di, EXECUTOR, () => new ExecaExecutor());
    const clock = part(di, CLOCK, () => ({ now: () => new Date() }));
    const registry = part(di, REGISTRY, () => new Registry(bus, { stateDir: config.stateDir, cluster: config.cluster }));
    await loadPlugins(registry, config.plugins, config.pluginBaseDir, options.preloaded);
    checkPortBackend(config, registry);
    checkDefaultNetworkOptions(config, registry);
    const store = part(di, STORE, () => new Store(config.stateDir));
    journalEvents(bus, store);
    let publisher: Promise<PortPublisher> | undefined;
    const ctx: RuntimeContext = {
      config,
      store,
      registry,
      exec,
      bus,
      clock,
      groups: new ContainerGroups(config.stateDir),
      reaper: options.reaper && { ...options.reaper, stateDir: config.stateDir },
      publisher: () => (publisher ??= choosePublisher(ctx).then((c) => c.publisher)),
    };
    return new Runtime(ctx, options.version);
  }

  private running: PluginService[] = [];

  /**
   * Start every plugin's resident service (ctrnetd does, once it serves). A
   * service that fails to start is logged and skipped: the daemon still
   * serves, and commands do what they need in their own path.
   */
  async startServices(log: (line: string) => void): Promise<void> {
    for (const service of this.ctx.registry.services()) {
      const ctx = {
        exec: this.ctx.exec,
        log: createDebug(`ctrnet:service-${service.name}`),
        networks: () => this.ctx.store.networks.all(),
        syncNetworks: () => this.networks.sync(),
        reconcile: () => this.system.gc(),
      };
      try {
        await service.start(ctx);
        this.running.push(service);
        log(`started service ${service.name}`);
      } catch (err) {
        log(`service ${service.name} failed to start: ${(err as Error).message}`);
      }
    }
  }

  /** Stop the services {@link startServices} started, newest first. */
  async stopServices(): Promise<void> {
    for (const service of this.running.splice(0).reverse()) await service.stop();
  }

  /** Release the store, the namespace pool and whatever the executor keeps running. */
  async close(): Promise<void> {
    await this.stopServices();
    await this.namespaces.close();
    this.ctx.store.close();
    await this.ctx.exec.close?.();
  }
}
