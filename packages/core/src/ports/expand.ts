import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import type { PortRange, Protocol, PublishRequest } from '../types.js';

const debug = createDebug('ctrnet:core:ports');

/** One concrete host port ↔ container port pair of a publish request. */
export interface PortPair {
  /** As in the request; absent = the network's default host address (the runtime fills it in). */
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
}

/** What the runtime is asked when a request leaves the host port open. */
export interface HostPortQuery {
  protocol: Protocol;
  /** Host address the port will be bound on, as in the request. */
  hostIp?: string;
  /** Pick within this range (`-p 8000-8010:80`); absent = the configured ephemeral range (`-p 80`). */
  range?: PortRange;
  /** The container port the host port is for. */
  containerPort: number;
  /** Host ports this expansion already chose; the chooser must not return them again. */
  taken: ReadonlySet<number>;
}

/**
 * Picks a free host port (typically: the lowest port of the range that the
 * store does not hold, `taken` does not contain and no host process listens
 * on), or answers undefined when none is free. May be async so it can probe
 * the host.
 */
export type HostPortChooser = (query: HostPortQuery) => number | undefined | Promise<number | undefined>;

/**
 * Turn a parsed publish request into concrete port pairs, in container port
 * order. Fixed host ports (`8080:80`, `8000-8001:80-81`) are paired in
 * order without asking `choose`; it is asked once per container port when
 * the host port is open, either ephemeral (`80`, `IP::80`, `8000-8010`) or
 * any port of a host range (`8000-8010:80`).
 *
 * The pairs are a proposal: the caller still reserves them (e.g. with
 * `Store.reservePorts`), which is where a conflict with another container
 * is detected.
 *
 * @throws CtrnetError EXHAUSTED when `choose` finds no free port; INTERNAL
 *   when it answers a port outside the range or one it already gave.
 */
export async function expandPublishRequest(request: PublishRequest, choose: HostPortChooser): Promise<PortPair[]> {
  const { hostIp, hostPorts, containerPorts, protocol } = request;
  const count = containerPorts.end - containerPorts.start + 1;
  const fixed = hostPorts !== undefined && hostPorts.end - hostPorts.start + 1 === count;
  const taken = new Set<number>();
  const pairs: PortPair[] = [];
  for (let i = 0; i < count; i++) {
    const containerPort = containerPorts.start + i;
    const hostPort = fixed ? hostPorts.start + i : await pick(choose, { protocol, hostIp, range: hostPorts, containerPort, taken });
    taken.add(hostPort);
    pairs.push(hostIp === undefined ? { hostPort, containerPort, protocol } : { hostIp, hostPort, containerPort, protocol });
  }
  debug('expanded %o to %o', request, pairs);
  return pairs;
}

async function pick(choose: HostPortChooser, query: HostPortQuery): Promise<number> {
  const port = await choose(query);
  const { protocol, hostIp, range, containerPort, taken } = query;
  const where = hostIp === undefined ? '' : ` on ${hostIp}`;
  if (port === undefined) {
    throw new CtrnetError(
      'EXHAUSTED',
      range
        ? `no free host port in ${range.start}-${range.end}/${protocol}${where} for container port ${containerPort}; free one of them or publish on another range`
        : `no free ephemeral host port${where} for container port ${containerPort}/${protocol}; remove containers that publish ports or widen "ephemeralPortRange" in the config`,
    );
  }
  const [low, high] = range ? [range.start, range.end] : [1, 65535];
  if (!Number.isInteger(port) || port < low || port > high || taken.has(port)) {
    throw new CtrnetError('INTERNAL', `host port chooser answered ${port} for ${low}-${high}/${protocol}, which is outside the range or already taken by this request`);
  }
  return port;
}
