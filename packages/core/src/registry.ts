import createDebug from 'debug';
import semver from 'semver';
import type { EventBus } from './bus.js';
import type { NetworkDriver } from './driver.js';
import { CtrnetError } from './errors.js';
import type { IpamDriver } from './ipam.js';
import { CORE_API_VERSION, type CtrnetPlugin, type PluginApi } from './plugin.js';
import { checkedPublisher } from './firewall/checked-publisher.js';
import type { PortPublisher } from './publisher.js';
import type { InfoSection, PluginService, PluginSettings } from './service.js';

const debug = createDebug('ctrnet:core:registry');

/** What `system info` shows about a loaded plugin. */
export interface LoadedPlugin {
  name: string;
  version: string;
  /** Where it was loaded from (module name or path). */
  source: string;
  registered: { networkDrivers: string[]; ipamDrivers: string[]; portPublishers: string[]; hooks: string[]; services: string[] };
}

type Kind = 'network driver' | 'IPAM driver' | 'port publisher';

/** Every driver, IPAM driver and publisher, by name, with the plugin that brought it. */
export class Registry {
  private readonly networkDrivers = new Map<string, { driver: NetworkDriver; plugin: string }>();
  private readonly ipamDrivers = new Map<string, { driver: IpamDriver; plugin: string }>();
  private readonly publishers = new Map<string, { driver: PortPublisher; plugin: string }>();
  private readonly loaded: LoadedPlugin[] = [];
  private readonly serviceList: PluginService[] = [];
  private readonly infoSectionList: InfoSection[] = [];

  /** @param settings What plugins may read of the config (a registry outside a runtime gives an empty state dir and no cluster). */
  constructor(
    private readonly bus: EventBus,
    private readonly settings: PluginSettings = { stateDir: '' },
  ) {}

  /**
   * Register one plugin definition. `source` is where it came from, for
   * messages; `packageVersion` is the version of the package it came from,
   * shown when the plugin declares none.
   */
  async register(plugin: unknown, source: string, packageVersion?: string): Promise<void> {
    const def = checkShape(plugin, source);
    if (!semver.satisfies(CORE_API_VERSION, def.coreVersion)) {
      throw new CtrnetError(
        'PLUGIN_INVALID',
        `plugin ${def.name} (${source}) supports core ${def.coreVersion} but this is core ${CORE_API_VERSION}; install a version of the plugin built for it`,
      );
    }
    if (this.loaded.some((p) => p.name === def.name)) {
      throw new CtrnetError('PLUGIN_INVALID', `plugin ${def.name} is loaded twice (again from ${source}); list it once in the config's "plugins"`);
    }
    const missing = (def.dependencies ?? []).filter((dep) => !this.loaded.some((p) => p.name === dep));
    if (missing.length) {
      throw new CtrnetError(
        'PLUGIN_INVALID',
        `plugin ${def.name} (${source}) needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not loaded before it; list ${missing.join(', ')} before ${def.name} in the config's "plugins"`,
      );
    }
    const info: LoadedPlugin = {
      name: def.name,
      version: def.version ?? packageVersion ?? 'unknown',
      source,
      registered: { networkDrivers: [], ipamDrivers: [], portPublishers: [], hooks: [], services: [] },
    };
    const add = <T extends { name: string }>(map: Map<string, { driver: T; plugin: string }>, kind: Kind, driver: T, list: string[]) => {
      if (typeof driver?.name !== 'string' || driver.name === '') {
        throw new CtrnetError('PLUGIN_INVALID', `plugin ${def.name} registered a ${kind} without a name; give it a "name" property`);
      }
      const existing = map.get(driver.name);
      if (existing) {
        throw new CtrnetError(
          'PLUGIN_INVALID',
          `plugin ${def.name} registers ${kind} "${driver.name}", already registered by ${existing.plugin}; remove one of them from the config's "plugins"`,
        );
      }
      map.set(driver.name, { driver, plugin: def.name });
      list.push(driver.name);
    };
    const log = createDebug(`ctrnet:${def.name.replace(/^@ctrnet\//, '')}`);
    const api: PluginApi = {
      log,
      settings: this.settings,
      registerService: (service) => {
        if (typeof service?.name !== 'string' || !service.name || typeof service.start !== 'function' || typeof service.stop !== 'function') {
          throw new CtrnetError('PLUGIN_INVALID', `plugin ${def.name} registered a service without a name, start() and stop(); give it all three`);
        }
        this.serviceList.push(service);
        info.registered.services.push(service.name);
      },
      registerInfoSection: (section) => {
        if (typeof section?.title !== 'string' || typeof section.lines !== 'function') {
          throw new CtrnetError('PLUGIN_INVALID', `plugin ${def.name} registered an info section without a title and lines(); give it both`);
        }
        this.infoSectionList.push(section);
      },
      events: {
        on: (event, listener) => this.bus.on(event, listener),
        hook: (event, hook, options) => {
          info.registered.hooks.push(event);
          return this.bus.hook(event, hook, { owner: def.name, ...options });
        },
      },
      registerNetworkDriver: (d) => add(this.networkDrivers, 'network driver', d, info.registered.networkDrivers),
      registerIpamDriver: (d) => add(this.ipamDrivers, 'IPAM driver', d, info.registered.ipamDrivers),
      // Wrapped so every input is checked once, in core, whatever the backend.
      registerPortPublisher: (d) => add(this.publishers, 'port publisher', d && typeof d === 'object' ? checkedPublisher(d) : d, info.registered.portPublishers),
    };
    try {
      await def.register(api);
    } catch (err) {
      if (err instanceof CtrnetError) throw err;
      throw new CtrnetError('PLUGIN_INVALID', `plugin ${def.name} (${source}) failed to register: ${(err as Error).message}`, { cause: err });
    }
    debug('registered %s from %s: %o', def.name, source, info.registered);
    this.loaded.push(info);
  }

  networkDriver(name: string): NetworkDriver {
    return this.lookup(this.networkDrivers, 'network driver', name);
  }

  ipamDriver(name: string): IpamDriver {
    return this.lookup(this.ipamDrivers, 'IPAM driver', name);
  }

  portPublisher(name: string): PortPublisher {
    return this.lookup(this.publishers, 'port publisher', name);
  }

  /** Names of every registered port publisher, in registration order. */
  portPublisherNames(): string[] {
    return [...this.publishers.keys()];
  }

  /** Every registered port publisher, most preferred first (ties keep registration order). */
  portPublishersByPreference(): PortPublisher[] {
    return [...this.publishers.values()].map((e) => e.driver).sort((a, b) => (b.preference ?? 0) - (a.preference ?? 0));
  }

  networkDriverNames(): string[] {
    return [...this.networkDrivers.keys()];
  }

  plugins(): readonly LoadedPlugin[] {
    return this.loaded;
  }

  /** Every registered resident service, in registration order. */
  services(): readonly PluginService[] {
    return this.serviceList;
  }

  /** Every registered `system info` section, in registration order. */
  infoSections(): readonly InfoSection[] {
    return this.infoSectionList;
  }

  private lookup<T>(map: Map<string, { driver: T }>, kind: Kind, name: string): T {
    const entry = map.get(name);
    if (!entry) {
      const known = [...map.keys()];
      throw new CtrnetError(
        'NOT_FOUND',
        `unknown ${kind} "${name}"; available: ${known.length ? known.join(', ') : 'none'} (load the plugin that provides it via the config's "plugins")`,
      );
    }
    return entry.driver;
  }
}

function checkShape(plugin: unknown, source: string): CtrnetPlugin {
  const p = plugin as Partial<CtrnetPlugin> | undefined;
  const problems: string[] = [];
  if (!p || typeof p !== 'object') {
    throw new CtrnetError('PLUGIN_INVALID', `plugin ${source} does not default-export a plugin object; export default definePlugin({ name, coreVersion, register })`);
  }
  if (typeof p.name !== 'string' || !p.name) problems.push('"name" (a non-empty string)');
  if (typeof p.coreVersion !== 'string' || !semver.validRange(p.coreVersion)) problems.push('"coreVersion" (a semver range such as "^0.2.0")');
  if (typeof p.register !== 'function') problems.push('"register" (a function)');
  if (p.dependencies !== undefined && !(Array.isArray(p.dependencies) && p.dependencies.every((d) => typeof d === 'string' && d))) {
    problems.push('"dependencies" (an array of plugin names)');
  }
  if (problems.length) {
    throw new CtrnetError('PLUGIN_INVALID', `plugin ${source} is missing ${problems.join(', ')}; export default definePlugin({ name, coreVersion, register })`);
  }
  return p as CtrnetPlugin;
}
