import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { NetworkFirewall } from '../driver.js';
import { CtrnetError } from '../errors.js';
import type { ContainerRef } from '../events.js';
import { ipFamily } from '../net/ipv6.js';
import { expandPublishRequest } from '../ports/expand.js';
import type { GatewayMode, Network, PortBinding, Protocol, PublishRequest } from '../types.js';
import { firewallOf, type RuntimeContext } from './context.js';

/**
 * Turning `-p` requests into concrete host ports. Fixed ports are checked
 * against the store (another container) and the host (a process already
 * listening); missing host ports come from the ephemeral range. A request
 * without a host address publishes on every family the container has, on
 * one host port for both (Docker 27); a family in gateway mode `routed`
 * gets no host port at all but its container port opened.
 */

/** The container's addresses on the network whose ports are published. */
export interface EndpointAddresses {
  ipv4?: string;
  ipv6?: string;
}

/** Every address of a family, as a binding names it. */
const ANY = { 4: '0.0.0.0', 6: '::' } as const;

/** Where one request publishes: a host address of one family, towards the container's address of that family. */
interface Target {
  family: 4 | 6;
  hostIp: string;
  containerIp: string;
  routed: boolean;
}

/** Bindings for one container, with host ports chosen. Does not reserve them. */
export async function resolveBindings(
  ctx: RuntimeContext,
  container: ContainerRef,
  network: Network,
  addresses: EndpointAddresses,
  requests: readonly PublishRequest[],
): Promise<PortBinding[]> {
  // Every reservation is read only when an ephemeral port must be picked: fixed ports are checked one by one.
  const used = new Map<Protocol, Set<number>>();
  const chosen = new Set<string>();
  const usedBy = (protocol: Protocol) => {
    let set = used.get(protocol);
    if (!set) used.set(protocol, (set = ctx.store.ports.usedHostPorts(protocol)));
    return set;
  };
  const firewall = firewallOf(ctx, network);
  if (!firewall) throw new CtrnetError('INTERNAL', `network ${network.name} has no firewall description from its driver ${network.driver}; it cannot publish ports`);
  const bindings: PortBinding[] = [];
  const claim = (family: 4 | 6, protocol: Protocol, port: number) => {
    const key = `${family}/${protocol}/${port}`;
    if (chosen.has(key)) {
      throw new CtrnetError('INVALID_ARGUMENT', `host port ${port}/${protocol} is published twice by this container on IPv${family}; give each -p its own host port`);
    }
    chosen.add(key);
  };
  const bind = (t: Target, protocol: Protocol, hostPort: number, containerPort: number): PortBinding => ({
    containerId: container.id,
    networkId: network.id,
    bridge: firewall.device,
    protocol,
    // A routed port is keyed by the container's own address: that is where it is reached.
    hostIp: t.routed ? t.containerIp : t.hostIp,
    hostPort,
    containerIp: t.containerIp,
    containerPort,
    ...(t.routed ? { routed: true } : {}),
  });

  for (const req of requests) {
    const targets = targetsOf(network, firewall, addresses, req);
    for (const t of targets.filter((x) => x.routed)) {
      for (let port = req.containerPorts.start; port <= req.containerPorts.end; port++) {
        claim(t.family, req.protocol, port);
        bindings.push(bind(t, req.protocol, port, port));
      }
    }
    const natted = targets.filter((x) => !x.routed);
    if (natted.length === 0) continue;
    for (const t of natted) {
      // Otherwise every port would look "in use" (EADDRNOTAVAIL) and the user would be told the wrong story.
      if (t.hostIp !== ANY[t.family] && !(await isLocalAddress(t.hostIp))) {
        throw new CtrnetError('INVALID_ARGUMENT', `host IP ${t.hostIp} of -p is not an address of this host; publish on ${ANY[t.family]} or one of the host's own addresses`);
      }
    }
    const hostIps = natted.map((t) => t.hostIp);
    const pairs = await expandPublishRequest({ ...req, hostIp: hostIps[0] }, ({ protocol, range, taken }) => {
      const [low, high] = range ? [range.start, range.end] : ctx.config.ephemeralPortRange;
      const held = (port: number) => usedBy(protocol).has(port) || taken.has(port) || natted.some((t) => chosen.has(`${t.family}/${protocol}/${port}`));
      return pickFree(protocol, hostIps, low, high, held);
    });
    const fixed = req.hostPorts !== undefined && req.hostPorts.end - req.hostPorts.start === req.containerPorts.end - req.containerPorts.start;
    const checks: (() => Promise<void>)[] = [];
    for (const pair of pairs) {
      for (const t of natted) {
        if (fixed) checks.push(() => assertFree(ctx, pair.protocol, t.hostIp, pair.hostPort));
        claim(t.family, pair.protocol, pair.hostPort);
        bindings.push(bind(t, pair.protocol, pair.hostPort, pair.containerPort));
      }
    }
    await firstFailure(checks);
  }
  return bindings;
}

/** Host-port probes in flight at once: a socket each, well under the usual 1,024 open files. */
const PROBES_IN_FLIGHT = 64;

/**
 * Runs the checks of one request together, a bounded number at a time, and
 * rejects with the first failure in their order (the lowest port). One by
 * one, a range of 1,000 ports cost 1,000 bind-and-close round trips of the
 * event loop (~60 ms of `run -d -p 20000-20999:20000-20999`).
 */
async function firstFailure(checks: readonly (() => Promise<void>)[]): Promise<void> {
  for (let k = 0; k < checks.length; k += PROBES_IN_FLIGHT) {
    const results = await Promise.allSettled(checks.slice(k, k + PROBES_IN_FLIGHT).map((check) => check()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/**
 * The host addresses a request publishes on. A given address publishes on
 * its family only, which the container must have; none means the network's
 * default (`host_binding_ipv4`), whose 0.0.0.0 stands for every family the
 * container has. No proxy maps one family to the other, unlike Docker's.
 */
function targetsOf(network: Network, firewall: NetworkFirewall, addresses: EndpointAddresses, req: PublishRequest): Target[] {
  const containerIps = { 4: addresses.ipv4, 6: addresses.ipv6 };
  const modes: Record<4 | 6, GatewayMode> = { 4: firewall.gatewayMode ?? 'nat', 6: firewall.gatewayMode6 ?? 'nat' };
  const target = (family: 4 | 6, hostIp: string): Target => ({ family, hostIp, containerIp: containerIps[family]!, routed: modes[family] === 'routed' });
  const given = req.hostIp ?? firewall.defaultHostIp;
  if (req.hostIp === undefined && given === ANY[4]) {
    return ([4, 6] as const).filter((f) => containerIps[f] !== undefined).map((f) => target(f, ANY[f]));
  }
  const family = ipFamily(given);
  if (family === undefined) throw new CtrnetError('INVALID_ARGUMENT', `host IP ${JSON.stringify(given)} of -p is not an IPv4 or IPv6 address`);
  if (containerIps[family] === undefined) {
    const other = family === 4 ? '[::]' : '0.0.0.0';
    throw new CtrnetError('INVALID_ARGUMENT', `host IP ${given} of -p is IPv${family}, but network ${network.name} gives the container no IPv${family} address; publish on ${other} or drop the host IP`);
  }
  return [target(family, given)];
}

async function assertFree(ctx: RuntimeContext, protocol: Protocol, hostIp: string, port: number): Promise<void> {
  const [holder] = ctx.store.ports.overlapping(protocol, hostIp, port);
  const where = hostIp.includes(':') ? `[${hostIp}]:${port}` : `${hostIp}:${port}`;
  if (holder) {
    const name = ctx.store.containers.find(holder.containerId)?.name ?? holder.containerId.slice(0, 12);
    throw new CtrnetError('CONFLICT', `port ${where}/${protocol} is already allocated by container ${name}; choose another host port or stop ${name}`);
  }
  if (!(await hostPortFree(protocol, hostIp, port))) {
    throw new CtrnetError('CONFLICT', `port ${where}/${protocol} is already in use by a process on the host; choose another host port`);
  }
}

/** The lowest port of the range that nobody holds on any of `hostIps`, or undefined (expandPublishRequest words the error). */
async function pickFree(protocol: Protocol, hostIps: readonly string[], low: number, high: number, held: (port: number) => boolean): Promise<number | undefined> {
  for (let port = low; port <= high; port++) {
    if (held(port)) continue;
    let free = true;
    for (const ip of hostIps) if (free) free = await hostPortFree(protocol, ip, port);
    if (free) return port;
  }
  return undefined;
}

/** Whether `ip` is assigned to this host (network namespace): binding to it does not fail with EADDRNOTAVAIL. */
function isLocalAddress(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRNOTAVAIL'));
    server.listen({ port: 0, host: ip, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Whether a host process could bind the port (a process that already
 * listens would shadow or be shadowed by our DNAT). `::` is probed IPv6-only:
 * an IPv4 listener on 0.0.0.0 does not keep a port from IPv6.
 */
export function hostPortFree(protocol: Protocol, hostIp: string, port: number): Promise<boolean> {
  if (protocol === 'sctp') return Promise.resolve(true);
  const ipv6Only = hostIp.includes(':');
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: hostIp, exclusive: true, ipv6Only }, () => server.close(() => resolve(true)));
    } else {
      const socket = createSocket({ type: ipv6Only ? 'udp6' : 'udp4', ipv6Only });
      socket.once('error', () => resolve(false));
      socket.bind({ port, address: hostIp, exclusive: true }, () => socket.close(() => resolve(true)));
    }
  });
}
