import { EventBus } from '../bus.js';
import { CtrnetError, isCtrnetError } from '../errors.js';
import { loadConfig, type Config, type ConfigInputs } from '../config.js';
import { ExecaExecutor } from '../exec/execa-executor.js';
import type { Executor } from '../exec/executor.js';
import { loadPlugins, type PreloadedModules } from '../loader.js';
import type { PortPublisher } from '../publisher.js';
import { Registry } from '../registry.js';
import { Store } from '../store/store.js';
import { KERNEL_NAMES } from '../names.js';
import { EXECUTOR } from '../tokens.js';
import { Attacher } from './attach.js';
import { Connections } from './connect.js';
import { Containers } from './containers.js';
import type { RuntimeContext } from './context.js';
import { Networks } from './networks.js';
import type { Reaper } from './process.js';
import { choosePublisher } from './publisher-choice.js';
import { System } from './system.js';
import { UndoKit } from './undo.js';
import { journalEvents } from './event-journal.js';
import { stableId } from './ids.js';

export interface RuntimeOptions extends ConfigInputs {
  /** Use this config instead of loading one. */
  config?: Config;
  /** Kernel executor; a RecordingExecutor in unit tests. */
  executor?: Executor;
  /** How detached containers report their exit (the CLI sets this). */
  reaper?: Omit<Reaper, 'stateDir'>;
  /** Plugin modules linked into the host program, by package name (see loadPlugins). */
  preloaded?: PreloadedModules;
  /** Version reported by `system info`. */
  version?: string;
}

/** An explicit port backend must name a loaded publisher; otherwise only commands that publish would notice. */
function checkPortBackend(config: Config, registry: Registry): void {
  const names = registry.portPublisherNames();
  if (config.portBackend !== 'auto' && !names.includes(config.portBackend)) {
    throw new CtrnetError(
      'INVALID_CONFIG',
      `unknown port backend ${JSON.stringify(config.portBackend)} (set by ${config.portBackendSource}); valid: auto, ${names.join(', ') || '(no port publisher plugin loaded)'}`,
    );
  }
}

/**
 * The default network is planned from the config on first use; plan it now
 * (a pure step) so a bad `defaultNetwork.options` value fails every command,
 * naming the config key, before anything is touched.
 */
function checkDefaultNetworkOptions(config: Config, registry: Registry): void {
  if (!registry.networkDriverNames().includes('bridge')) return;
  const request = { name: 'bridge', driver: 'bridge', internal: false, ipv6: false, options: { bridge_name: KERNEL_NAMES.defaultBridge, ...config.defaultNetwork.options } };
  try {
    registry.networkDriver('bridge').planNetwork(request, stableId('config check'));
  } catch (err) {
    if (!isCtrnetError(err, 'INVALID_ARGUMENT')) throw err;
    throw new CtrnetError('INVALID_CONFIG', `invalid config ${config.source ?? ''}: key "defaultNetwork.options": ${err.message}`, { cause: err });
  }
}

/**
 * ctrnet's library API: one object per state dir with the services the CLI
 * calls. Open it, use it, close it. Plugins are loaded on open.
 */
export class Runtime {
  readonly networks: Networks;
  readonly containers: Containers;
  readonly connections: Connections;
  readonly system: System;

  private constructor(readonly ctx: RuntimeContext, version: string) {
    const undo = new UndoKit(ctx);
    this.networks = new Networks(ctx, undo);
    const attacher = new Attacher(ctx, this.networks, undo);
    this.containers = new Containers(ctx, this.networks, attacher, undo);
    this.connections = new Connections(ctx, this.networks, this.containers, attacher, undo);
    this.system = new System(ctx, this.containers, attacher, undo, version);
  }

  static async open(options: RuntimeOptions = {}): Promise<Runtime> {
    const config = options.config ?? loadConfig(options);
    const bus = new EventBus();
    const registry = new Registry(bus);
    const exec = options.executor ?? new ExecaExecutor();
    registry.container.registerInstance(EXECUTOR, exec);
    await loadPlugins(registry, config.plugins, config.pluginBaseDir, options.preloaded);
    checkPortBackend(config, registry);
    checkDefaultNetworkOptions(config, registry);
    const store = new Store(config.stateDir);
    journalEvents(bus, store);
    let publisher: Promise<PortPublisher> | undefined;
    const ctx: RuntimeContext = {
      config,
      store,
      registry,
      exec,
      bus,
      reaper: options.reaper && { ...options.reaper, stateDir: config.stateDir },
      publisher: () => (publisher ??= choosePublisher(ctx).then((c) => c.publisher)),
    };
    return new Runtime(ctx, options.version ?? '0.1.0');
  }

  close(): void {
    this.ctx.store.close();
  }
}
