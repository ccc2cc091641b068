/**
 * The small world a port publisher is tested in, built without any
 * driver so the suites depend on nothing but the publisher:
 *
 *   container netns            host netns                        LAN netns
 *   eth0 10.250.5.2/24 ── ctt-ctr0 ⊂ ctt-pub0 10.250.5.1/24
 *   (neighbour .3)     ── ctt-ctr1 ⊂ ctt-pub0
 *                                    ctt-lan0 10.250.6.1/24 ──── eth0 10.250.6.2/24
 *                                             10.250.6.3/24
 *   (other network)    ── ctt-ctr2 ⊂ ctt-pub1 10.250.8.1/24
 *
 * The neighbour and the other network are added only by the checks that
 * need them. The LAN has no route to the container subnets unless asked
 * for: egress then only works when masqueraded, and a route makes direct
 * routing (which the publisher must block) possible.
 */
import type { LinkRule, NetworkRules, PluginContext, PortBinding, PortPublisher } from '@ctrnet/core';
import type { TestNamespaces } from '../namespaces.js';
import type { NetnsHandle } from '../netns.js';
import { hexId, hostContext } from './harness.js';

export const TOPOLOGY = {
  bridge: 'ctt-pub0',
  subnet: '10.250.5.0/24',
  gateway: '10.250.5.1',
  containerIp: '10.250.5.2',
  /** A second container on the same bridge, added by {@link addNeighbour}. */
  neighbourIp: '10.250.5.3',
  hostLanIp: '10.250.6.1',
  /** Another host address on the LAN link: where a port bound to `hostLanIp` must not answer. */
  hostLanIp2: '10.250.6.3',
  lanIp: '10.250.6.2',
  /** A second network with one container, added by {@link addOtherNetwork}. */
  other: { bridge: 'ctt-pub1', subnet: '10.250.8.0/24', gateway: '10.250.8.1', containerIp: '10.250.8.2' },
} as const;

/** Whose ports the topology's bindings are. */
export const CONTAINER_ID = 'c0'.repeat(32);
export const NEIGHBOUR_ID = 'c1'.repeat(32);

export interface PublisherTopology {
  host: NetnsHandle;
  container: NetnsHandle;
  lan: NetnsHandle;
  /** The rules of the container's network, as core would pass them. */
  network: NetworkRules;
}

/** One check's world: the topology plus a fresh publisher working in its host namespace. */
export interface PublisherEnv extends PublisherTopology {
  publisher: PortPublisher;
  ctx: PluginContext;
}

/** Build the topology; `lanRoute` gives the LAN a route to the container subnet via the host. */
export async function buildPublisherTopology(tn: TestNamespaces, options: { lanRoute?: boolean } = {}): Promise<PublisherTopology> {
  const t = TOPOLOGY;
  const host = await tn.createHost();
  const lan = await tn.create('lan');
  await addBridge(host, t.bridge, `${t.gateway}/24`);
  const container = await attachContainer(tn, host, { label: 'ctr', hostSide: 'ctt-ctr0', bridge: t.bridge, ip: t.containerIp, gateway: t.gateway });
  await host.exec(['ip', 'link', 'add', 'ctt-lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
  await host.exec(['ip', 'addr', 'add', `${t.hostLanIp}/24`, 'dev', 'ctt-lan0']);
  await host.exec(['ip', 'addr', 'add', `${t.hostLanIp2}/24`, 'dev', 'ctt-lan0']);
  await host.exec(['ip', 'link', 'set', 'ctt-lan0', 'up']);
  await lan.exec(['ip', 'addr', 'add', `${t.lanIp}/24`, 'dev', 'eth0']);
  await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
  if (options.lanRoute) await lan.exec(['ip', 'route', 'add', t.subnet, 'via', t.hostLanIp]);
  return { host, container, lan, network: networkRules(t.bridge, t.subnet, t.gateway) };
}

/**
 * The topology and a fresh publisher from `factory`, with a context aimed at
 * its host namespace. Skips `test`, with the probe's reason, where the
 * backend reports itself unusable.
 */
export async function publisherEnv(tn: TestNamespaces, test: Mocha.Context, suite: string, factory: () => PortPublisher, topology: { lanRoute?: boolean } = {}): Promise<PublisherEnv> {
  const world = await buildPublisherTopology(tn, topology);
  const publisher = factory();
  const ctx = hostContext(world.host, suite);
  const probe = await publisher.probe(ctx);
  if (!probe.usable) {
    process.stderr.write(`[ctrnet conformance] ${publisher.name} is not usable here (${probe.reason}); skipping\n`);
    test.skip();
  }
  return { ...world, publisher, ctx };
}

/** A second container on the topology's bridge, at `neighbourIp`. */
export function addNeighbour(tn: TestNamespaces, world: PublisherTopology): Promise<NetnsHandle> {
  const t = TOPOLOGY;
  return attachContainer(tn, world.host, { label: 'ctr2', hostSide: 'ctt-ctr1', bridge: t.bridge, ip: t.neighbourIp, gateway: t.gateway });
}

/** The second network of the topology. */
export interface OtherNetwork {
  /** Its container, at `TOPOLOGY.other.containerIp`. */
  container: NetnsHandle;
  network: NetworkRules;
}

/** The second network: its bridge, one container on it, and its rules. */
export async function addOtherNetwork(tn: TestNamespaces, world: PublisherTopology): Promise<OtherNetwork> {
  const o = TOPOLOGY.other;
  await addBridge(world.host, o.bridge, `${o.gateway}/24`);
  const container = await attachContainer(tn, world.host, { label: 'ctr3', hostSide: 'ctt-ctr2', bridge: o.bridge, ip: o.containerIp, gateway: o.gateway });
  return { container, network: networkRules(o.bridge, o.subnet, o.gateway) };
}

/** A bridge holding `address` (gateway/prefix), up. */
export async function addBridge(host: NetnsHandle, bridge: string, address: string): Promise<void> {
  await host.exec(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  await host.exec(['ip', 'addr', 'add', address, 'dev', bridge]);
  await host.exec(['ip', 'link', 'set', bridge, 'up']);
}

/** A container namespace whose eth0 (`ip`/24, default route via `gateway`) is plugged into `bridge` as `hostSide`. */
async function attachContainer(tn: TestNamespaces, host: NetnsHandle, c: { label: string; hostSide: string; bridge: string; ip: string; gateway: string }): Promise<NetnsHandle> {
  const ns = await tn.create(c.label);
  await host.exec(['ip', 'link', 'add', c.hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.path]);
  await host.exec(['ip', 'link', 'set', c.hostSide, 'master', c.bridge, 'up']);
  // What a bridge driver does for proxy-less publishing (Docker too): with
  // br_netfilter, a container reaching its own published port is DNATed and
  // bridged back out of the port it came in on, which needs hairpin.
  await host.exec(['ip', 'link', 'set', c.hostSide, 'type', 'bridge_slave', 'hairpin', 'on']);
  await ns.exec(['ip', 'addr', 'add', `${c.ip}/24`, 'dev', 'eth0']);
  await ns.exec(['ip', 'link', 'set', 'eth0', 'up']);
  await ns.exec(['ip', 'route', 'add', 'default', 'via', c.gateway]);
  return ns;
}

/** A network's rules with Docker's defaults: ICC on, masquerade on, not internal. */
export function networkRules(bridge: string, subnet: string, gateway: string): NetworkRules {
  return { networkId: hexId(), bridge, subnet, gateway, internal: false, icc: true, masquerade: true };
}

/** A TCP port of the topology's container on `network`, published on every host address unless `overrides` say otherwise. */
export function publishedPort(network: NetworkRules, hostPort: number, containerPort: number, overrides: Partial<PortBinding> = {}): PortBinding {
  return {
    containerId: CONTAINER_ID,
    networkId: network.networkId,
    bridge: network.bridge,
    protocol: 'tcp',
    hostIp: '0.0.0.0',
    hostPort,
    containerIp: TOPOLOGY.containerIp,
    containerPort,
    ...overrides,
  };
}

/** A link from the neighbour to the topology's container, opening `port`/tcp. */
export function neighbourLink(network: NetworkRules, port: number): LinkRule {
  return { containerId: NEIGHBOUR_ID, bridge: network.bridge, sourceIp: TOPOLOGY.neighbourIp, targetIp: TOPOLOGY.containerIp, ports: [{ port, protocol: 'tcp' }] };
}
