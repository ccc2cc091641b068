/**
 * libnetwork's remote plugin protocol (drivers/remote/api, ipams/remote/api;
 * byte-identical in Docker 20.10 and libnetwork HEAD): the request and
 * response shapes this plugin reads and writes, and the conversions of
 * Docker's values (numeric protocols, base64 MACs, CIDR addresses).
 */
import { invalidArgument, type Protocol, type PublishRequest } from '@ctrnet/core/api';

/** The media type Docker sends and expects. */
export const PLUGIN_CONTENT_TYPE = 'application/vnd.docker.plugins.v1.2+json';

/** Keys Docker puts into option maps. */
export const DOCKER_KEYS = {
  generic: 'com.docker.network.generic',
  internal: 'com.docker.network.internal',
  enableIpv6: 'com.docker.network.enable_ipv6',
  portMap: 'com.docker.network.portmap',
  mac: 'com.docker.network.endpoint.macaddress',
  requestAddressType: 'RequestAddressType',
  gatewayRequest: 'com.docker.network.gateway',
} as const;

export interface IpamData {
  AddressSpace?: string;
  Pool: string;
  Gateway?: string;
  AuxAddresses?: Record<string, string>;
}

export interface CreateNetworkRequest {
  NetworkID: string;
  Options?: Record<string, unknown>;
  IPv4Data?: IpamData[];
  IPv6Data?: IpamData[];
}

export interface EndpointInterface {
  Address?: string;
  AddressIPv6?: string;
  MacAddress?: string;
}

export interface CreateEndpointRequest {
  NetworkID: string;
  EndpointID: string;
  Interface?: EndpointInterface | null;
  Options?: Record<string, unknown>;
}

export interface JoinRequest {
  NetworkID: string;
  EndpointID: string;
  SandboxKey: string;
  Options?: Record<string, unknown>;
}

/** One entry of `com.docker.network.portmap` (types.PortBinding). */
export interface DockerPortBinding {
  Proto: number;
  IP?: string;
  Port: number;
  HostIP?: string;
  HostPort?: number;
  HostPortEnd?: number;
}

/** IANA protocol numbers, as Go's types.Protocol marshals them. */
const PROTOCOLS: Record<number, Protocol> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** Docker's port bindings as ctrnet publish requests (HostPort 0 = an ephemeral port, as `-P` asks). */
export function publishRequests(value: unknown): PublishRequest[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidArgument(`${DOCKER_KEYS.portMap} must be a list of port bindings`);
  return value.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw invalidArgument(`${DOCKER_KEYS.portMap} must hold port binding objects, got ${JSON.stringify(entry)}`);
    const b = entry as DockerPortBinding;
    const protocol = PROTOCOLS[b.Proto];
    if (!protocol) throw invalidArgument(`cannot publish protocol number ${JSON.stringify(b.Proto)}; ctrnet publishes tcp (6), udp (17) and sctp (132)`);
    if (!Number.isInteger(b.Port) || b.Port < 1 || b.Port > 65535) throw invalidArgument(`invalid container port ${JSON.stringify(b.Port)} in ${DOCKER_KEYS.portMap}`);
    const hostStart = b.HostPort ?? 0;
    const hostEnd = b.HostPortEnd || hostStart;
    return {
      ...(b.HostIP && b.HostIP !== '' ? { hostIp: b.HostIP } : {}),
      ...(hostStart > 0 ? { hostPorts: { start: hostStart, end: hostEnd } } : {}),
      containerPorts: { start: b.Port, end: b.Port },
      protocol,
    };
  });
}

/** A MAC from Docker: `net.HardwareAddr` marshals to base64 in option maps, to text in Interface.MacAddress. */
export function dockerMac(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(value)) return value.toLowerCase();
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 6) throw invalidArgument(`invalid MAC address ${JSON.stringify(value)} from Docker`);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** `172.18.0.2/16` → `172.18.0.2`. */
export function withoutPrefix(address: string): string {
  return address.split('/')[0]!;
}

/** The ctrnet network that stands for a Docker network: named after its id, as Docker names nothing for the driver. */
export function networkName(networkId: string): string {
  if (!/^[0-9a-f]{12,64}$/.test(networkId)) throw invalidArgument(`invalid NetworkID ${JSON.stringify(networkId)}: expected Docker's hex id`);
  return `docker-${networkId.slice(0, 12)}`;
}

/** The ctrnet owner of a Docker endpoint. */
export function endpointOwner(endpointId: string): string {
  if (!/^[0-9a-f]{12,64}$/.test(endpointId)) throw invalidArgument(`invalid EndpointID ${JSON.stringify(endpointId)}: expected Docker's hex id`);
  return `docker:${endpointId}`;
}

/** The name the interface has in the host namespace until Docker moves it (SrcName): 15 characters at most. */
export function handoffName(endpointId: string): string {
  return `ctd${endpointId.slice(0, 12)}`;
}
