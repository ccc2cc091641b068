import type { Debugger } from 'debug';
import type { EventBus } from './bus.js';
import type { NetworkDriver } from './driver.js';
import type { IpamDriver } from './ipam.js';
import type { PortPublisher } from './publisher.js';
import type { InfoSection, PluginService, PluginSettings } from './service.js';

/**
 * The version of the plugin API this core implements. Plugins declare the
 * range they support in `coreVersion`; a mismatch refuses to load.
 */
export const CORE_API_VERSION = '0.2.0';

/** What a plugin may do while it registers. Built-ins use exactly this. */
export interface PluginApi {
  /** Lifecycle events: `on` for notifications, `hook` for awaited steps. */
  readonly events: Pick<EventBus, 'on' | 'hook'>;
  /** Logger under `ctrnet:<plugin name>`. */
  readonly log: Debugger;
  registerNetworkDriver(driver: NetworkDriver): void;
  registerIpamDriver(driver: IpamDriver): void;
  registerPortPublisher(publisher: PortPublisher): void;
  /** Settings from the effective config this plugin may read (state dir, cluster). */
  readonly settings: PluginSettings;
  /** A resident service ctrnetd runs while it serves (watches, renewals); see {@link PluginService}. */
  registerService(service: PluginService): void;
  /** A block of lines `system info` shows (e.g. the cluster and its hosts). */
  registerInfoSection(section: InfoSection): void;
}

/** What a plugin module default-exports. */
export interface CtrnetPlugin {
  /** Package-like name, e.g. `@ctrnet/driver-bridge`; unique among loaded plugins. */
  name: string;
  /** The plugin's own version, shown by `system info`. */
  version?: string;
  /** Semver range of CORE_API_VERSION the plugin supports, e.g. `^0.2.0`. */
  coreVersion: string;
  /**
   * Names of plugins this one needs (e.g. a driver that relies on an IPAM
   * driver of another package). Each must be loaded before this one; a
   * missing one refuses the load with an error naming it.
   */
  dependencies?: readonly string[];
  /** Register drivers, IPAM drivers, publishers and event subscriptions. */
  register(api: PluginApi): void | Promise<void>;
}

/** Identity helper that gives plugin authors type checking. */
export function definePlugin(plugin: CtrnetPlugin): CtrnetPlugin {
  return plugin;
}
