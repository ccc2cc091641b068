/**
 * The runtime API: the one surface every front-end (the CLI, ctrnetd's HTTP
 * server, the CNI plugin, the Docker driver, the OCI hook) uses. Each method
 * takes one plain JSON request and resolves with one plain JSON response, so
 * the same call works in-process and over the daemon's socket. Request
 * schemas (validated on both paths) are in `schemas.ts`.
 */
import type { ContainerStatus, ExposedPort, NetworkRequest, PortBinding, PublishRequest } from '../types.js';
import type { RunSpec } from '../runtime/run-spec.js';

/** A container as `ps` lists it. */
export interface ContainerSummary {
  Id: string;
  Name: string;
  Status: ContainerStatus;
  /** Exit status of the last run, once exited. */
  ExitCode?: number;
  NetworkMode: string;
  /** Addresses, network by network (primary first), each network's IPv4 before its IPv6. */
  IPs: string[];
  Ports: PortBinding[];
  /** Declared ports that are not published (`--expose`, `-P` candidates). */
  Exposed: ExposedPort[];
  /** The networks it has an endpoint on (primary first), for `ps --filter network=` and `{{.Networks}}`. */
  Networks: { Name: string; Id: string }[];
  /** `--label` values. */
  Labels: Record<string, string>;
  Command: string[];
  Created: string;
  Started?: string;
  Finished?: string;
  /** Warnings about the request (e.g. ports discarded in host mode); set by `container.run`. */
  Warnings?: string[];
}

/** `docker container inspect`'s shape, with the fields cli.md names. */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Name: string;
  State: { Status: ContainerStatus; Running: boolean; Pid: number; ExitCode: number; StartedAt: string; FinishedAt: string };
  Config: {
    Hostname: string;
    ExposedPorts: Record<string, object>;
    Env: string[];
    Cmd: string[];
    Tty: boolean;
    OpenStdin: boolean;
    WorkingDir: string;
    User: string;
    Labels: Record<string, string>;
    StopSignal?: string;
  };
  HostConfig: {
    NetworkMode: string;
    AutoRemove: boolean;
    Init: boolean;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    PublishAllPorts: boolean;
    Dns: string[];
    DnsSearch: string[];
    DnsOptions: string[];
    Links: string[];
    ExtraHosts: string[];
  };
  NetworkSettings: {
    SandboxKey: string;
    /**
     * Docker's legacy top-level fields: the endpoint on the default `bridge`
     * network, empty strings (and 0) when the container is not on it, as
     * Docker fills them (`{{.NetworkSettings.IPAddress}}`).
     */
    IPAddress: string;
    IPPrefixLen: number;
    Gateway: string;
    MacAddress: string;
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
    Networks: Record<
      string,
      {
        IPAddress: string;
        IPPrefixLen: number;
        Gateway: string;
        GlobalIPv6Address: string;
        GlobalIPv6PrefixLen: number;
        IPv6Gateway: string;
        MacAddress: string;
        NetworkID: string;
        EndpointID: string;
      }
    >;
  };
}

/** A network as `network ls` lists it. */
export interface NetworkSummary {
  Name: string;
  Id: string;
  Driver: string;
  /** IPv4 subnet and gateway; empty on an IPv6-only network. */
  Subnet: string;
  Gateway: string;
  /** IPv6 subnet and gateway; empty without IPv6. */
  IPv6Subnet: string;
  IPv6Gateway: string;
  Internal: boolean;
  /** IPv6 requested (`--ipv6`). */
  EnableIPv6: boolean;
  /** How many containers have an endpoint on it. */
  Containers: number;
  Created: string;
}

/** `docker network inspect`'s shape. */
export interface NetworkInspect {
  Name: string;
  Id: string;
  Created: string;
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  /** One Config entry per family: IPv4 first. */
  IPAM: { Driver: string; Config: { Subnet: string; IPRange?: string; Gateway: string }[] };
  Internal: boolean;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  /** What the network's driver adds (`NetworkDriver.inspect`), e.g. an overlay's hosts with their slices and containers. */
  DriverStatus?: Record<string, unknown>;
}

/** What a loaded plugin brought, for `system info`. */
export interface PluginInfo {
  name: string;
  version: string;
  source: string;
  registered: { networkDrivers: string[]; ipamDrivers: string[]; portPublishers: string[]; hooks: string[]; services: string[] };
}

export interface SystemInfo {
  version: string;
  stateDir: string;
  config?: string;
  plugins: PluginInfo[];
  portBackend: { name: string; reason: string };
  /** Blocks plugins add (`PluginApi.registerInfoSection`), e.g. the cluster and its hosts. */
  sections: { title: string; lines: string[] }[];
  /** Whether this answer came from ctrnetd (with its pid) or from the command's own process. */
  server: { daemon: boolean; pid: number };
}

/** A lifecycle event as the journal keeps it. */
export interface EventRecord {
  seq: number;
  time: string;
  type: string;
  actorId?: string;
  actorName?: string;
  payload: unknown;
}

/**
 * A network namespace of another engine attached to a ctrnet network (one
 * interface): what `sandbox.attach` made, as `sandbox.list` shows it.
 */
export interface SandboxAttachment {
  /** The engine-scoped owner: `cni:<container id>`, `oci:<id>`, `docker:<endpoint id>`. */
  owner: string;
  /** The interface in the namespace (for a handoff: its name in ctrnet's namespace until the engine moves it). */
  ifname: string;
  /** Id of the attachment's container record (what `ps` lists, named `OWNER/IFNAME`). */
  id: string;
  network: string;
  networkId: string;
  /** The namespace as the engine gave it; empty for a handoff. */
  netnsPath: string;
  handoff: boolean;
  mac: string;
  ipv4?: string;
  prefixLen?: number;
  gateway?: string;
  /** Whether the interface carries the namespace's default route. */
  defaultRoute: boolean;
  /** Host-side interface (veth end), when the driver makes one. */
  hostIfname?: string;
  /** Host interface the network is reached through (its bridge), when it has one. */
  device?: string;
  bindings: PortBinding[];
  aliases: string[];
  dns: { servers: string[]; searches: string[]; options: string[] };
  created: string;
}

/** What an engine asks `sandbox.attach` for. */
export interface SandboxAttachRequest {
  /** Engine-scoped owner id, 1-255 characters `[A-Za-z0-9_.:-]`; with `ifname` it names the attachment. */
  owner: string;
  /** The ctrnet network (name or id). */
  network: string;
  /** Interface to create in the namespace (or, for a handoff, in ctrnet's namespace). */
  ifname: string;
  /** The namespace: `/run/netns/NAME`, `/proc/PID/ns/net`. Exactly one of `netnsPath` and `handoff`. */
  netnsPath?: string;
  /** The engine moves and addresses the interface itself (Docker): see `Sandbox.handoff`. */
  handoff?: boolean;
  /** Keep a bind mount of the namespace until detach, so teardown works after its processes are gone. */
  pin?: boolean;
  publish?: PublishRequest[];
  /** A static address (may be one leased with `ipam.requestAddress` on the network's pool). */
  ip?: string;
  mac?: string;
  /** Whether the interface carries the default route; default: when no other attachment of the owner does. */
  defaultRoute?: boolean;
  /** Names the attachment answers to on its network (for ctrnet's resolver). */
  aliases?: string[];
  /** Resolver settings the engine wants the namespace to use; echoed back, kept for inspect. */
  dns?: { servers?: string[]; searches?: string[]; options?: string[] };
}

/** Which attachments `sandbox.detach`, `check` and `list` mean. */
export interface SandboxSelector {
  owner?: string;
  ownerPrefix?: string;
  network?: string;
  ifname?: string;
}

/** An address pool held by `ipam.requestPool`. */
export interface IpamPoolLease {
  id: string;
  ipamDriver: string;
  subnet: string;
  ipRange?: string;
  gateway: string;
  /** The network that took the pool over, if one did. */
  network?: string;
  created: string;
}

/** How a front-end starts a foreground container's command itself, sharing its terminal. */
export interface ProcessLaunch {
  argv: string[];
  env: Record<string, string>;
}

type Empty = Record<string, never>;

/**
 * Every API method: its request and its response. Method names are
 * `<object>.<verb>`; on the wire they are `POST /v1/<method>`.
 */
export interface ApiMethods {
  /** `run -d`: create and start in the background. */
  'container.run': { request: { spec: RunSpec }; response: ContainerSummary };
  /**
   * Foreground `run`: create the container and its network; the caller
   * starts the returned command with its own terminal, reports its PID with
   * `container.started`, and its exit with `container.exited`.
   */
  'container.runAttached': { request: { spec: RunSpec; callerPid: number }; response: { container: ContainerSummary; launch: ProcessLaunch } };
  /** The caller started the command of `runAttached` as `pid`; answers with its PID 1 (where signals go). */
  'container.started': { request: { id: string; pid: number }; response: { pid: number } };
  /** The foreground command exited: remove the container, releasing its network. */
  'container.exited': { request: { id: string; status: number }; response: Empty };
  /** `create`: the container exists, with no network or process, until `container.start`. */
  'container.create': { request: { spec: RunSpec }; response: ContainerSummary };
  'container.start': { request: { name: string }; response: ContainerSummary };
  'container.restart': { request: { name: string; timeoutSeconds?: number }; response: ContainerSummary };
  'container.kill': { request: { name: string; signal?: string }; response: ContainerSummary };
  'container.pause': { request: { name: string }; response: ContainerSummary };
  'container.unpause': { request: { name: string }; response: ContainerSummary };
  'container.rename': { request: { name: string; newName: string }; response: ContainerSummary };
  /** The container's processes, `ps` columns (`UID PID PPID C STIME TTY TIME CMD`) as the host sees them. */
  'container.top': { request: { name: string }; response: { titles: string[]; processes: string[][] } };
  /** Resolves when the container's command has exited, with its status (also for a container removed meanwhile). */
  'container.wait': { request: { name: string }; response: { status: number } };
  /** Where `attach` connects: the terminal's socket (with `-t`), else the output log to follow. */
  'container.attach': { request: { name: string }; response: { tty: boolean; socket?: string; log: string; running: boolean; gate?: string } };
  'container.stop': { request: { name: string; timeoutSeconds?: number }; response: ContainerSummary };
  'container.remove': { request: { name: string; force?: boolean }; response: { id: string; name: string } };
  'container.list': { request: { all?: boolean }; response: ContainerSummary[] };
  'container.inspect': { request: { name: string }; response: ContainerInspect };
  'container.ports': { request: { name: string }; response: PortBinding[] };
  /** argv and environment that run a command inside a running container's namespaces; the caller runs it. */
  'container.exec': { request: { name: string; command: string[]; env?: [string, string][]; workdir?: string; user?: string }; response: ProcessLaunch };
  /** Where a detached container's output is written; the caller reads it. */
  'container.logs': { request: { name: string }; response: { path: string } };
  /** A detached container's supervisor reports the exit of run `runId`. */
  'container.reap': { request: { id: string; runId: number; status: number }; response: Empty };
  'network.create': { request: NetworkRequest; response: NetworkSummary };
  'network.list': { request: Empty; response: NetworkSummary[] };
  'network.inspect': { request: { name: string }; response: NetworkInspect };
  'network.remove': { request: { name: string }; response: { id: string; name: string } };
  /** Attach to one more network; `aliases` are more DNS names there, `ip`/`ip6` fix the container's addresses (`network connect --alias --ip --ip6`). */
  'network.connect': { request: { network: string; container: string; aliases?: string[]; ip?: string; ip6?: string }; response: Empty };
  'network.disconnect': { request: { network: string; container: string }; response: Empty };
  'system.info': { request: Empty; response: SystemInfo };
  'system.gc': { request: Empty; response: { fixed: string[] } };
  'system.reload': { request: Empty; response: { backend: string } };
  'system.reset': { request: Empty; response: { removed: string[] } };
  /** Attach a namespace ctrnet did not create to a network (CNI ADD, OCI createRuntime, Docker CreateEndpoint). */
  'sandbox.attach': { request: SandboxAttachRequest; response: SandboxAttachment };
  /** Detach what the selector names (`owner` or `ownerPrefix` required). Idempotent: nothing attached is success. */
  'sandbox.detach': { request: SandboxSelector; response: { detached: SandboxAttachment[] } };
  /** How the kernel differs from the attach, one line each; NOT_FOUND when nothing is attached. */
  'sandbox.check': { request: SandboxSelector; response: { problems: string[] } };
  /** Make one attachment publish exactly these ports (`[]`: none). Idempotent. */
  'sandbox.publish': { request: SandboxSelector & { publish: PublishRequest[] }; response: SandboxAttachment };
  'sandbox.list': { request: SandboxSelector; response: SandboxAttachment[] };
  /** Hold an address pool before its network exists (Docker's RequestPool). */
  'ipam.requestPool': { request: { ipamDriver?: string; subnet?: string; ipRange?: string; gateway?: string }; response: IpamPoolLease };
  /** End a pool's lease with its leased addresses. Idempotent; a network that took the pool over keeps it until removed. */
  'ipam.releasePool': { request: { pool: string }; response: Empty };
  /** Lease an address of a pool (or, with `gateway`, settle the pool's gateway). */
  'ipam.requestAddress': { request: { pool: string; address?: string; gateway?: boolean }; response: { address: string; prefixLen: number } };
  /** Give a leased address back. Idempotent. */
  'ipam.releaseAddress': { request: { pool: string; address: string }; response: Empty };
  'ipam.listPools': { request: Empty; response: IpamPoolLease[] };
  /** Journalled events after sequence number `after` (exclusive), oldest first, at most `limit`. */
  'events.list': { request: { after?: number; limit?: number }; response: EventRecord[] };
}

export type ApiMethod = keyof ApiMethods;
export type ApiRequest<M extends ApiMethod> = ApiMethods[M]['request'];
export type ApiResponse<M extends ApiMethod> = ApiMethods[M]['response'];

/** The runtime API, in-process ({@link LocalApi}) or remote (the daemon client). */
export interface CtrnetApi {
  /** Call one method. Rejects with a CtrnetError carrying the same code and message on both paths. */
  call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>>;
  /**
   * Follow the event journal: `onEvent` for every event after `after`, as
   * they are written, until `signal` aborts. Resolves when aborted.
   */
  follow(after: number, onEvent: (event: EventRecord) => void, signal: AbortSignal): Promise<void>;
  /** Release what the API holds (the store, a socket). */
  close(): Promise<void>;
}
