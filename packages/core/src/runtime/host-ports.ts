import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { CtrnetError } from '../errors.js';
import type { ContainerRef } from '../events.js';
import { isValidIpv4 } from '../net/ipv4.js';
import { expandPublishRequest } from '../ports/expand.js';
import type { Network, PortBinding, Protocol, PublishRequest } from '../types.js';
import { firewallOf, type RuntimeContext } from './context.js';

/**
 * Turning `-p` requests into concrete host ports. Fixed ports are checked
 * against the store (another container) and the host (a process already
 * listening); missing host ports come from the ephemeral range.
 */

/** Bindings for one container, with host ports chosen. Does not reserve them. */
export async function resolveBindings(
  ctx: RuntimeContext,
  container: ContainerRef,
  network: Network,
  containerIp: string,
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
  const defaultHostIp = firewall.defaultHostIp;
  const bindings: PortBinding[] = [];
  for (const req of requests) {
    const hostIp = req.hostIp ?? defaultHostIp;
    if (!isValidIpv4(hostIp)) {
      throw new CtrnetError('INVALID_ARGUMENT', `publishing on IPv6 host address ${hostIp} is not supported yet; publish on an IPv4 address or 0.0.0.0`);
    }
    // Otherwise every port would look "in use" (EADDRNOTAVAIL) and the user would be told the wrong story.
    if (hostIp !== '0.0.0.0' && !(await isLocalAddress(hostIp))) {
      throw new CtrnetError('INVALID_ARGUMENT', `host IP ${hostIp} of -p is not an address of this host; publish on 0.0.0.0 or one of the host's own addresses`);
    }
    const pairs = await expandPublishRequest({ ...req, hostIp }, ({ protocol, range, taken }) => {
      const [low, high] = range ? [range.start, range.end] : ctx.config.ephemeralPortRange;
      return pickFree(protocol, hostIp, low, high, (port) => usedBy(protocol).has(port) || taken.has(port) || chosen.has(`${protocol}/${port}`));
    });
    for (const pair of pairs) {
      if (req.hostPorts && req.hostPorts.end - req.hostPorts.start === req.containerPorts.end - req.containerPorts.start) {
        await assertFree(ctx, pair.protocol, hostIp, pair.hostPort);
      }
      if (chosen.has(`${pair.protocol}/${pair.hostPort}`)) {
        throw new CtrnetError('INVALID_ARGUMENT', `host port ${pair.hostPort}/${pair.protocol} is published twice by this container; give each -p its own host port`);
      }
      chosen.add(`${pair.protocol}/${pair.hostPort}`);
      bindings.push({
        containerId: container.id,
        networkId: network.id,
        bridge: firewall.device,
        protocol: pair.protocol,
        hostIp,
        hostPort: pair.hostPort,
        containerIp,
        containerPort: pair.containerPort,
      });
    }
  }
  return bindings;
}

async function assertFree(ctx: RuntimeContext, protocol: Protocol, hostIp: string, port: number): Promise<void> {
  const [holder] = ctx.store.ports.overlapping(protocol, hostIp, port);
  if (holder) {
    const name = ctx.store.containers.find(holder.containerId)?.name ?? holder.containerId.slice(0, 12);
    throw new CtrnetError('CONFLICT', `port ${hostIp}:${port}/${protocol} is already allocated by container ${name}; choose another host port or stop ${name}`);
  }
  if (!(await hostPortFree(protocol, hostIp, port))) {
    throw new CtrnetError('CONFLICT', `port ${hostIp}:${port}/${protocol} is already in use by a process on the host; choose another host port`);
  }
}

/** The lowest port of the range that nobody holds, or undefined (expandPublishRequest words the error). */
async function pickFree(protocol: Protocol, hostIp: string, low: number, high: number, held: (port: number) => boolean): Promise<number | undefined> {
  for (let port = low; port <= high; port++) {
    if (!held(port) && (await hostPortFree(protocol, hostIp, port))) return port;
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

/** Whether a host process could bind the port (a process that already listens would shadow or be shadowed by our DNAT). */
export function hostPortFree(protocol: Protocol, hostIp: string, port: number): Promise<boolean> {
  if (protocol === 'sctp') return Promise.resolve(true);
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: hostIp, exclusive: true }, () => server.close(() => resolve(true)));
    } else {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind({ port, address: hostIp, exclusive: true }, () => socket.close(() => resolve(true)));
    }
  });
}
