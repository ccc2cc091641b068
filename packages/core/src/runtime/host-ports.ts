import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { CtrnetError } from '../errors.js';
import type { ContainerRef } from '../events.js';
import type { Network, PortBinding, Protocol, PublishRequest } from '../types.js';
import type { RuntimeContext } from './context.js';

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
  const bindings: PortBinding[] = [];
  const taken = new Map<Protocol, Set<number>>();
  const usedBy = (protocol: Protocol) => {
    let set = taken.get(protocol);
    if (!set) taken.set(protocol, (set = ctx.store.usedHostPorts(protocol)));
    return set;
  };
  const defaultHostIp = network.options.host_binding_ipv4 || '0.0.0.0';
  for (const req of requests) {
    const hostIp = req.hostIp ?? defaultHostIp;
    const count = req.containerPorts.end - req.containerPorts.start + 1;
    for (let i = 0; i < count; i++) {
      const containerPort = req.containerPorts.start + i;
      let hostPort: number;
      if (req.hostPorts && req.hostPorts.end - req.hostPorts.start + 1 === count) {
        hostPort = req.hostPorts.start + i;
        await assertFree(ctx, req.protocol, hostIp, hostPort);
      } else {
        // No host port, or Docker's "host range for one container port": any free port of the range.
        const [low, high] = req.hostPorts ? [req.hostPorts.start, req.hostPorts.end] : ctx.config.ephemeralPortRange;
        hostPort = await pickFree(req.protocol, hostIp, low, high, usedBy(req.protocol));
      }
      usedBy(req.protocol).add(hostPort);
      bindings.push({
        containerId: container.id,
        networkId: network.id,
        bridge: network.driverData.bridge ?? '',
        protocol: req.protocol,
        hostIp,
        hostPort,
        containerIp,
        containerPort,
      });
    }
  }
  return bindings;
}

async function assertFree(ctx: RuntimeContext, protocol: Protocol, hostIp: string, port: number): Promise<void> {
  const holder = ctx.store
    .allPorts()
    .find((b) => b.protocol === protocol && b.hostPort === port && (b.hostIp === hostIp || b.hostIp === '0.0.0.0' || hostIp === '0.0.0.0'));
  if (holder) {
    const name = ctx.store.container(holder.containerId)?.name ?? holder.containerId.slice(0, 12);
    throw new CtrnetError('CONFLICT', `port ${hostIp}:${port}/${protocol} is already allocated by container ${name}; choose another host port or stop ${name}`);
  }
  if (!(await hostPortFree(protocol, hostIp, port))) {
    throw new CtrnetError('CONFLICT', `port ${hostIp}:${port}/${protocol} is already in use by a process on the host; choose another host port`);
  }
}

async function pickFree(protocol: Protocol, hostIp: string, low: number, high: number, used: Set<number>): Promise<number> {
  for (let port = low; port <= high; port++) {
    if (!used.has(port) && (await hostPortFree(protocol, hostIp, port))) return port;
  }
  throw new CtrnetError('EXHAUSTED', `no free host port in ${low}-${high}/${protocol}; free some ports or widen the range (config ephemeralPortRange)`);
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
