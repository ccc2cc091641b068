/**
 * The data ctrnet's core and its plugins exchange. Everything here is plain,
 * serialisable data: it is what the state store keeps and what the event bus
 * carries, so a plugin can be tested by feeding it literals.
 */

/** Transport protocols a port can be published for. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** An address pool a network draws addresses from: IPv4, or IPv6 (a network's `pool6`). */
export interface AddressPool {
  /** Subnet in CIDR notation, e.g. `172.17.0.0/16` or `fd12:3456:789a::/64` (IPv6 in canonical form). */
  subnet: string;
  /** Sub-range addresses are allocated from (`--ip-range`); the whole subnet when absent. */
  ipRange?: string;
  /** Gateway address (the bridge's own address for the bridge driver). */
  gateway: string;
}

/** A network as the store keeps it. */
export interface Network {
  /** 64 hex chars, like Docker's network ids. */
  id: string;
  /** User-facing name, unique per installation (`bridge`, `host`, `none`, or user-defined). */
  name: string;
  /** Name of the network driver that owns it. */
  driver: string;
  /** Name of the IPAM driver that manages its pool. */
  ipamDriver: string;
  /** The IPv4 pool, for drivers that use IPAM; absent on IPv6-only networks. */
  pool?: AddressPool;
  /** The IPv6 pool of a network with `ipv6`, for drivers that use IPAM. */
  pool6?: AddressPool;
  /** No egress and no published ports (`--internal`). */
  internal: boolean;
  /** IPv4 on (Docker 28's `EnableIPv4`); absent = true. False only with `ipv6`: an IPv6-only network (`--ipv4=false`). */
  ipv4?: boolean;
  /** IPv6 on (`--ipv6`): the network has a `pool6`. */
  ipv6: boolean;
  /** Driver options after validation and normalisation (canonical short keys). */
  options: Record<string, string>;
  /** Driver-private data the driver chose at create time (e.g. the bridge's interface name). */
  driverData: Record<string, string>;
  /** ISO timestamp. */
  created: string;
}

/** What `network create` asks for, before validation. */
export interface NetworkRequest {
  name: string;
  driver: string;
  /** IPAM driver (`--ipam-driver`); absent = the network driver's choice, else the config's default. */
  ipamDriver?: string;
  /**
   * Id of a pool held with the API's `ipam.requestPool` that the network
   * takes over: the network gets the pool's id, subnet, gateway and the
   * addresses leased in it. For engines whose protocol asks for a pool
   * before the network exists (Docker's IpamDriver).
   */
  ipamPool?: string;
  /**
   * The installation's default network (`bridge`), which core creates on
   * first use. Drivers may name its objects specially (the bridge driver
   * calls its bridge `ctrnet0`, as Docker calls it docker0).
   */
  builtin?: boolean;
  /** IPv4 subnet (`--subnet`); absent = IPAM picks one. */
  subnet?: string;
  ipRange?: string;
  gateway?: string;
  /** IPv6 subnet (a second `--subnet`); absent = IPAM picks one (a /64 of the installation's ULA /48). */
  subnet6?: string;
  ipRange6?: string;
  gateway6?: string;
  internal: boolean;
  /** IPv4 on; absent = true. `false` needs `ipv6` (`--ipv4=false`, an IPv6-only network). */
  ipv4?: boolean;
  ipv6: boolean;
  /** Raw `-o KEY=VAL` options, keys as the user typed them. */
  options: Record<string, string>;
}

/**
 * A container's network namespaces. `netnsPath` is Docker's `SandboxKey`:
 * a path that `nsenter --net=` accepts.
 */
export interface Sandbox {
  /** Id of the container that owns the sandbox. */
  containerId: string;
  /** Path of the network namespace (a bind mount under /run/netns); empty in host mode, where the container uses the namespace ctrnet runs in. */
  netnsPath: string;
  /**
   * How the namespace came to be: made for this container, the host's,
   * borrowed from another container, or made and owned by another engine
   * (`external`: CNI's CNI_NETNS, an OCI container's, a Docker sandbox),
   * which ctrnet adds interfaces to and removes them from but never deletes.
   */
  kind: 'own' | 'host' | 'shared' | 'external';
  /**
   * The engine moves the interface itself (Docker's remote driver protocol):
   * `join` leaves the sandbox end in ctrnet's own namespace, named
   * `endpoint.ifname`, with the endpoint's MAC and MTU, down, without
   * addresses or routes; the engine moves it into its sandbox, renames and
   * addresses it. `netnsPath` is then empty. Only drivers whose `handoff`
   * trait is true are given such sandboxes; their `leave` must remove the
   * interface wherever it is by then.
   */
  handoff?: boolean;
}

/** One interface of a container on one network. */
export interface Endpoint {
  /** 64 hex chars. */
  id: string;
  containerId: string;
  networkId: string;
  /** Interface name inside the sandbox: eth0, eth1, ... */
  ifname: string;
  /** Host-side interface name (veth end), when the driver makes one. */
  hostIfname?: string;
  /** IPv4 address without prefix. */
  ipv4?: string;
  /** Prefix length of the network's subnet. */
  prefixLen?: number;
  /** MAC address, lower case, colon-separated. */
  mac?: string;
  /** Gateway of the network (the container's default route when this endpoint carries it). */
  gateway?: string;
  /** IPv6 address without prefix, on networks with IPv6. */
  ipv6?: string;
  /** Prefix length of the network's IPv6 subnet. */
  prefixLen6?: number;
  /** IPv6 gateway of the network (the IPv6 default route when this endpoint carries it). */
  gateway6?: string;
  /** Whether this endpoint carries the container's default route. */
  defaultRoute: boolean;
  /** Next hop for the default route when it is not the network's gateway (`--default-gateway`). */
  defaultGateway?: string;
  /** More names for the container on this network (`--network-alias`, `network connect --alias`). */
  aliases?: string[];
}

/** One published port, resolved to concrete host and container addresses. */
export interface PortBinding {
  containerId: string;
  networkId: string;
  /** Host interface the container's network is reached through (the bridge); DNAT skips packets arriving on it only for hairpin. */
  bridge: string;
  protocol: Protocol;
  /**
   * Host address it listens on: `0.0.0.0` for every IPv4 address, `::` for
   * every IPv6 one. Always of the container address's family. For a routed
   * port, the container's own address.
   */
  hostIp: string;
  /** Host port; for a routed port, the container port. */
  hostPort: number;
  containerIp: string;
  containerPort: number;
  /**
   * Gateway mode `routed`: no NAT, the container port is opened to traffic
   * routed straight to the container's address (Docker ignores the host
   * port and address of `-p` then). Absent = a NATed host port.
   */
  routed?: boolean;
}

/** A port range as written in a publish spec (`80`, `8000-8010`). */
export interface PortRange {
  start: number;
  end: number;
}

/** A parsed `-p` spec, before host ports are allocated. */
export interface PublishRequest {
  /**
   * Host address (IPv6 without brackets); absent = the network's
   * `host_binding_ipv4`, whose default 0.0.0.0 means every address of every
   * family the network has (0.0.0.0 and ::, one host port for both).
   */
  hostIp?: string;
  /** Host port range; absent = ephemeral port(s). */
  hostPorts?: PortRange;
  containerPorts: PortRange;
  protocol: Protocol;
}

/** An exposed port (`--expose`), e.g. `{port: 80, protocol: 'tcp'}`. */
export interface ExposedPort {
  port: number;
  protocol: Protocol;
}

/**
 * How a network's containers meet the world beyond the host, per address
 * family (Docker's `gateway_mode_ipv4` / `gateway_mode_ipv6`):
 *
 * - `nat`: egress masqueraded, published ports DNATed from host ports, and
 *   nothing else reaches the containers (the default);
 * - `nat-unprotected`: as `nat`, but anything routed to a container address
 *   from outside the host reaches it (Docker before 28);
 * - `routed`: no NAT at all; the host routes, and a published port opens
 *   the container port itself to routed traffic (the host port is ignored);
 * - `isolated`: no address of the family on the bridge; internal networks only.
 */
export type GatewayMode = 'nat' | 'nat-unprotected' | 'routed' | 'isolated';

/** A network's address families as the firewall sees them: IPv4 (`subnet`), IPv6 (`subnet6`) or both. */
export interface NetworkFamilies {
  /** IPv4 subnet in CIDR notation; absent on an IPv6-only network. */
  subnet?: string;
  /** The host's IPv4 address on the bridge; absent when it holds none (gateway mode `isolated`). */
  gateway?: string;
  /** IPv4 gateway mode; absent = `nat`. */
  gatewayMode?: GatewayMode;
  /** IPv6 subnet; absent on an IPv4-only network. */
  subnet6?: string;
  /** The host's IPv6 address on the bridge; absent when it holds none (gateway mode `isolated`). */
  gateway6?: string;
  /** IPv6 gateway mode; absent = `nat`. */
  gatewayMode6?: GatewayMode;
}

/**
 * The network rules a port publisher owns for one network. A network has
 * IPv4 (`subnet`), IPv6 (`subnet6`) or both; the rules of each family are
 * the same, written for that family.
 */
export interface NetworkRules extends NetworkFamilies {
  networkId: string;
  /** The Linux interface containers' traffic enters the host through (the bridge). */
  bridge: string;
  /** No egress and no published ports. */
  internal: boolean;
  /** Containers on this network may talk to each other. */
  icc: boolean;
  /** Masquerade egress to the host's address (in the `nat` modes). */
  masquerade: boolean;
  /**
   * The port ctrnet's resolver answers on at the gateway when port 53 is
   * taken there (a host DNS server on 0.0.0.0:53): the publisher redirects
   * the network's DNS traffic to `gateway:53` (udp and tcp) to it.
   */
  dnsRedirect?: number;
}

/** With ICC off, a `--link` opens the linked container's exposed ports to the linking one. */
export interface LinkRule {
  /** The linking container (owner of the rule). */
  containerId: string;
  bridge: string;
  /** Source and target are of one family; a dual-stack link is two rules. */
  sourceIp: string;
  targetIp: string;
  ports: ExposedPort[];
}

/** Container status, as `ps` and `inspect` show it. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited' | 'removing';
