import type { Debugger } from 'debug';
import type { Executor } from './exec/executor.js';
import type { Endpoint, GatewayMode, Network, NetworkFamilies, NetworkRequest, Sandbox } from './types.js';

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
  'ip6',
  'default-gateway',
] as const;

/** A run option a network mode can refuse (one of {@link RUN_OPTION_NAMES}). */
export type RunOptionName = (typeof RUN_OPTION_NAMES)[number];

/** The gateway modes (see {@link GatewayMode}), as users name them. */
export const GATEWAY_MODES: readonly GatewayMode[] = ['nat', 'nat-unprotected', 'routed', 'isolated'];

/**
 * What the port publisher needs to know of a network to firewall it, and
 * what `-p` defaults to on it. A driver describes its own networks, so core
 * and the publishers never read a driver's options or private data. A
 * network has IPv4 (`subnet`), IPv6 (`subnet6`), or both.
 */
export interface NetworkFirewall extends NetworkFamilies {
  /** Host interface the network's containers reach the host through (the bridge); traffic is matched on it. The gateways are on it. */
  device: string;
  /** Containers on the network may talk to each other. */
  icc: boolean;
  /** Masquerade egress to the host's address. */
  masquerade: boolean;
  /**
   * Host address a `-p` without one publishes on (Docker's
   * `host_binding_ipv4`); `0.0.0.0` for every address of every family the
   * network has (0.0.0.0 and ::, with one host port for both).
   */
  defaultHostIp: string;
}

/**
 * The cluster side of a driver whose networks are defined once for many
 * hosts (an overlay). Each host keeps its own copy of such a network in its
 * store, with its own pool view and kernel objects; core imports the copies
 * (`Networks.sync`) and asks the driver before a create or remove that
 * changes the shared definition.
 */
export interface SharedNetworks {
  /**
   * The shared definitions of this driver's networks, as a network row
   * without `pool` (each host settles its own through IPAM) and with the
   * subnet to request. Throws when the shared store cannot be read: core
   * then keeps its copies as they are.
   */
  list(ctx: PluginContext): Promise<{ network: Network; subnet?: string }[]>;
  /**
   * Make a planned network's definition shared, before anything else of the
   * create happens: of two hosts creating one name, exactly one gets past
   * this (the other gets CtrnetError CONFLICT). Returns the network as
   * defined (the driver may add driver data, e.g. a VNI).
   */
  claim(ctx: PluginContext, network: Network, subnet?: string): Promise<Network>;
  /**
   * Drop the shared definition (`network rm`, or the undo of a create that
   * failed after `claim`). Refuses with INVALID_STATE while another host has
   * containers on the network. Idempotent.
   */
  release(ctx: PluginContext, network: Network): Promise<void>;
}

/** How a {@link NetworkDriver.leave} happens. */
export interface LeaveOptions {
  /**
   * The sandbox's network namespace is deleted right after this leave (its
   * container stops or is removed; only for sandboxes of kind `own`), and
   * every interface in it goes with it. A driver whose interface has a part
   * outside the sandbox may then leave that part to the kernel (a veth dies
   * with its peer's namespace, shortly after) instead of deleting it, which
   * for a veth waits 15–25 ms for RCU. It must still cut that part off at
   * once: core releases the endpoint's addresses as soon as leave returns,
   * and a new endpoint may take them (and the MAC derived from them) while
   * the old interface is still on its way out, or stays, when something
   * else holds the namespace. Absent or false: remove the interface now
   * (`network disconnect`, an undo, an engine's sandbox).
   */
  sandboxGoing?: boolean;
}

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
  /**
   * Whether the driver can give its networks IPv6 (`--ipv6`, a `pool6` and
   * endpoints' `ipv6`); absent = no. Core refuses `--ipv6` otherwise.
   */
  readonly ipv6?: boolean;
  /** What happens to `-p`: published, discarded with a warning (host mode), or refused. */
  readonly ports: 'publish' | 'discard' | 'refuse';
  /** Whether users may `network create -d` this driver (host/none/container are singletons). */
  readonly userDefined: boolean;
  /** Run options this mode refuses, like Docker's "conflicting options" errors. */
  readonly refusedRunOptions?: readonly RunOptionName[];
  /** IPAM driver for this driver's networks when `network create` names none (default: the config's `defaultIpamDriver`). */
  readonly ipamDriver?: string;
  /**
   * Whether `join` serves handoff sandboxes (see `Sandbox.handoff`): engines
   * such as Docker that move and address the interface themselves can then
   * use this driver's networks. Default false.
   */
  readonly handoff?: boolean;

  /** Validate a network request and normalise its options. Pure; throws CtrnetError('INVALID_ARGUMENT'). */
  planNetwork(request: NetworkRequest, networkId: string): NetworkPlan;
  /** Create the network's kernel objects (bridge, ...). Must be safe to call when they already exist. */
  createNetwork(ctx: PluginContext, network: Network): Promise<void>;
  /**
   * Remove the network's kernel objects, and whatever of its endpoints'
   * a `sandboxGoing` leave left to the kernel and is still there (its
   * namespace held by someone else). Idempotent.
   */
  deleteNetwork(ctx: PluginContext, network: Network): Promise<void>;
  /**
   * Fill driver-chosen endpoint fields (host-side interface name, default
   * MAC) before anything is created. Pure; throws on bad input.
   */
  planEndpoint(network: Network, endpoint: Endpoint): Endpoint;
  /** Give the sandbox its interface on this network (address, MAC, routes). */
  join(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void>;
  /**
   * Remove the sandbox's interface on this network, or, with
   * `options.sandboxGoing`, cut it off and let the namespace's deletion
   * remove it (see {@link LeaveOptions}). Idempotent.
   */
  leave(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox, options?: LeaveOptions): Promise<void>;
  /**
   * The firewall view of a network, for networks whose traffic passes a host
   * interface the publisher can match on (a bridge). Pure. Absent, or
   * undefined for a network, means the network gets no firewall rules and
   * no published ports (host, none, macvlan).
   */
  firewall?(network: Network): NetworkFirewall | undefined;
  /**
   * Report how the kernel differs from what `join` made for this endpoint
   * (interface missing or down, address or MAC changed, not on its network):
   * one line per difference, empty when all is as joined. Read-only. Serves
   * CNI's CHECK. Absent: the driver cannot tell, and nothing is reported.
   */
  check?(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<string[]>;
  /**
   * Bring the kernel in line with the store after a crash or reboot (`system
   * gc`): re-create the network's objects if they vanished, remove objects
   * of this driver on the network that no endpoint owns (among them what a
   * `sandboxGoing` leave left to the kernel, if it is still there: gc must
   * leave nothing behind). Idempotent.
   *
   * @param endpoints Every endpoint the store holds on the network.
   * @returns One line per thing fixed, for gc's report; empty when all was well.
   */
  reconcile?(ctx: PluginContext, network: Network, endpoints: readonly Endpoint[]): Promise<string[]>;
  /** Present for drivers whose networks span hosts: see {@link SharedNetworks}. */
  readonly shared?: SharedNetworks;
  /** Extra facts `network inspect` shows under `DriverStatus` (an overlay's hosts, slices, containers). May read a shared store. */
  inspect?(ctx: PluginContext, network: Network): Promise<Record<string, unknown>>;
}
