/**
 * The runtime API: the one surface every front-end (the CLI, ctrnetd's HTTP
 * server, the CNI plugin, the Docker driver, the OCI hook) uses. Each method
 * takes one plain JSON request and resolves with one plain JSON response, so
 * the same call works in-process and over the daemon's socket. Request
 * schemas (validated on both paths) are in `schemas.ts`.
 */
import type { ContainerStatus, ExposedPort, NetworkRequest, PortBinding } from '../types.js';
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
  Config: { Hostname: string; ExposedPorts: Record<string, object>; Env: string[]; Cmd: string[] };
  HostConfig: {
    NetworkMode: string;
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
}

/** What a loaded plugin brought, for `system info`. */
export interface PluginInfo {
  name: string;
  version: string;
  source: string;
  registered: { networkDrivers: string[]; ipamDrivers: string[]; portPublishers: string[]; hooks: string[] };
}

export interface SystemInfo {
  version: string;
  stateDir: string;
  config?: string;
  plugins: PluginInfo[];
  portBackend: { name: string; reason: string };
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
  'container.started': { request: { id: string; pid: number }; response: Empty };
  /** The foreground command exited: remove the container, releasing its network. */
  'container.exited': { request: { id: string; status: number }; response: Empty };
  'container.start': { request: { name: string }; response: ContainerSummary };
  'container.stop': { request: { name: string; timeoutSeconds?: number }; response: ContainerSummary };
  'container.remove': { request: { name: string; force?: boolean }; response: { id: string; name: string } };
  'container.list': { request: { all?: boolean }; response: ContainerSummary[] };
  'container.inspect': { request: { name: string }; response: ContainerInspect };
  'container.ports': { request: { name: string }; response: PortBinding[] };
  /** argv that runs a command inside a running container's namespaces; the caller runs it. */
  'container.exec': { request: { name: string; command: string[] }; response: { argv: string[] } };
  /** Where a detached container's output is written; the caller reads it. */
  'container.logs': { request: { name: string }; response: { path: string } };
  /** A detached container's supervisor reports the exit of run `runId`. */
  'container.reap': { request: { id: string; runId: number; status: number }; response: Empty };
  'network.create': { request: NetworkRequest; response: NetworkSummary };
  'network.list': { request: Empty; response: NetworkSummary[] };
  'network.inspect': { request: { name: string }; response: NetworkInspect };
  'network.remove': { request: { name: string }; response: { id: string; name: string } };
  /** Attach to one more network; `ip`/`ip6` fix the container's addresses there (`network connect --ip/--ip6`). */
  'network.connect': { request: { network: string; container: string; ip?: string; ip6?: string }; response: Empty };
  'network.disconnect': { request: { network: string; container: string }; response: Empty };
  'system.info': { request: Empty; response: SystemInfo };
  'system.gc': { request: Empty; response: { fixed: string[] } };
  'system.reload': { request: Empty; response: { backend: string } };
  'system.reset': { request: Empty; response: { removed: string[] } };
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
