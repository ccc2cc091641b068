import type { Debugger } from 'debug';
import type { Executor } from './exec/executor.js';
import type { Endpoint, Network, NetworkRequest, Sandbox } from './types.js';

/** What every plugin method that touches the kernel receives. */
export interface PluginContext {
  /** The only way a plugin may run kernel commands. */
  exec: Executor;
  /** Logger under `ctrnet:<plugin>`. */
  log: Debugger;
}

/** Every run option a network mode can refuse, named as the CLI flags are. */
export const RUN_OPTION_NAMES = [
  'publish',
  'publish-all',
  'expose',
  'hostname',
  'dns',
  'dns-search',
  'dns-option',
  'add-host',
  'link',
  'mac-address',
  'ip',
  'default-gateway',
] as const;

/** A run option a network mode can refuse (one of {@link RUN_OPTION_NAMES}). */
export type RunOptionName = (typeof RUN_OPTION_NAMES)[number];

/** A network driver's validated plan for a new network: normalised options and driver-private data. */
export interface NetworkPlan {
  options: Record<string, string>;
  driverData: Record<string, string>;
}

/**
 * A network driver: a network mode (`bridge`, `host`, `none`, `container`,
 * `macvlan`, ...). Core calls `planNetwork` and `planEndpoint` (pure, may
 * throw on bad input) before it touches the kernel, then the side-effecting
 * methods. Deletes and leaves must be idempotent: "not found" is success.
 */
export interface NetworkDriver {
  /** Driver name as users type it (`-d NAME`, `--net NAME`). */
  readonly name: string;
  /**
   * Where the container's network namespace comes from: made for it (`own`),
   * the host's (`host`), or another container's (`shared`, `--net container:NAME`).
   */
  readonly sandbox: 'own' | 'host' | 'shared';
  /** Whether networks of this driver get an address pool from IPAM. */
  readonly usesIpam: boolean;
  /** What happens to `-p`: published, discarded with a warning (host mode), or refused. */
  readonly ports: 'publish' | 'discard' | 'refuse';
  /** Whether users may `network create -d` this driver (host/none/container are singletons). */
  readonly userDefined: boolean;
  /** Run options this mode refuses, like Docker's "conflicting options" errors. */
  readonly refusedRunOptions?: readonly RunOptionName[];

  /** Validate a network request and normalise its options. Pure; throws CtrnetError('INVALID_ARGUMENT'). */
  planNetwork(request: NetworkRequest, networkId: string): NetworkPlan;
  /** Create the network's kernel objects (bridge, ...). Must be safe to call when they already exist. */
  createNetwork(ctx: PluginContext, network: Network): Promise<void>;
  /** Remove the network's kernel objects. Idempotent. */
  deleteNetwork(ctx: PluginContext, network: Network): Promise<void>;
  /**
   * Fill driver-chosen endpoint fields (host-side interface name, default
   * MAC) before anything is created. Pure; throws on bad input.
   */
  planEndpoint(network: Network, endpoint: Endpoint): Endpoint;
  /** Give the sandbox its interface on this network (address, MAC, routes). */
  join(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void>;
  /** Remove the sandbox's interface on this network. Idempotent. */
  leave(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void>;
}
