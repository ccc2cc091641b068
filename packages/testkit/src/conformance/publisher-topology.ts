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
 * With `ipv6`, every link also gets the IPv6 addresses of {@link TOPOLOGY6}
 * (fd00:250:N::x/64 where the IPv4 address is 10.250.N.x), added without
 * DAD so they work at once, and the network's rules get its IPv6 subnet.
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

/** The IPv6 addresses of the topology, link by link as in {@link TOPOLOGY}. */
export const TOPOLOGY6 = {
  subnet: 'fd00:250:5::/64',
  gateway: 'fd00:250:5::1',
  containerIp: 'fd00:250:5::2',
  neighbourIp: 'fd00:250:5::3',
  hostLanIp: 'fd00:250:6::1',
  hostLanIp2: 'fd00:250:6::3',
  lanIp: 'fd00:250:6::2',
  other: { subnet: 'fd00:250:8::/64', gateway: 'fd00:250:8::1', containerIp: 'fd00:250:8::2' },
} as const;

/** How to build the topology. */
export interface TopologyOptions {
  /** Give the LAN a route to the container subnet(s) via the host: direct routing becomes possible. */
  lanRoute?: boolean;
  /** Add the IPv6 addresses and routes of {@link TOPOLOGY6}; the network's rules become dual-stack. */
  ipv6?: boolean;
}

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

/** Build the topology (see {@link TopologyOptions}). */
export async function buildPublisherTopology(tn: TestNamespaces, options: TopologyOptions = {}): Promise<PublisherTopology> {
  const t = TOPOLOGY;
  const t6 = TOPOLOGY6;
  const v6 = options.ipv6 === true;
  const host = await tn.createHost();
  if (v6) await host.exec(['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
  const lan = await tn.create('lan');
  await addBridge(host, t.bridge, `${t.gateway}/24`, v6 ? `${t6.gateway}/64` : undefined);
  const container = await attachContainer(tn, host, { label: 'ctr', hostSide: 'ctt-ctr0', bridge: t.bridge, ip: t.containerIp, gateway: t.gateway, ...(v6 && { ip6: t6.containerIp, gateway6: t6.gateway }) });
  await host.exec(['ip', 'link', 'add', 'ctt-lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
  await host.exec(['ip', 'addr', 'add', `${t.hostLanIp}/24`, 'dev', 'ctt-lan0']);
  await host.exec(['ip', 'addr', 'add', `${t.hostLanIp2}/24`, 'dev', 'ctt-lan0']);
  await lan.exec(['ip', 'addr', 'add', `${t.lanIp}/24`, 'dev', 'eth0']);
  if (v6) {
    for (const ip of [t6.hostLanIp, t6.hostLanIp2]) await host.exec(['ip', 'addr', 'add', `${ip}/64`, 'dev', 'ctt-lan0', 'nodad']);
    await lan.exec(['ip', 'addr', 'add', `${t6.lanIp}/64`, 'dev', 'eth0', 'nodad']);
  }
  await host.exec(['ip', 'link', 'set', 'ctt-lan0', 'up']);
  await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
  if (options.lanRoute) {
    await lan.exec(['ip', 'route', 'add', t.subnet, 'via', t.hostLanIp]);
    if (v6) await lan.exec(['ip', 'route', 'add', t6.subnet, 'via', t6.hostLanIp]);
  }
  const rules = networkRules(t.bridge, t.subnet, t.gateway);
  return { host, container, lan, network: v6 ? { ...rules, subnet6: t6.subnet, gateway6: t6.gateway } : rules };
}

/**
 * The topology and a fresh publisher from `factory`, with a context aimed at
 * its host namespace. Skips `test`, with the probe's reason, where the
 * backend reports itself unusable.
 */
export async function publisherEnv(tn: TestNamespaces, test: Mocha.Context, suite: string, factory: () => PortPublisher, topology: TopologyOptions = {}): Promise<PublisherEnv> {
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

/** A second container on the topology's bridge, at `neighbourIp` (and the IPv6 neighbour address on a dual-stack topology). */
export function addNeighbour(tn: TestNamespaces, world: PublisherTopology): Promise<NetnsHandle> {
  const t = TOPOLOGY;
  const v6 = world.network.subnet6 !== undefined && { ip6: TOPOLOGY6.neighbourIp, gateway6: TOPOLOGY6.gateway };
  return attachContainer(tn, world.host, { label: 'ctr2', hostSide: 'ctt-ctr1', bridge: t.bridge, ip: t.neighbourIp, gateway: t.gateway, ...v6 });
}

/** The second network of the topology. */
export interface OtherNetwork {
  /** Its container, at `TOPOLOGY.other.containerIp`. */
  container: NetnsHandle;
  network: NetworkRules;
}

/** The second network: its bridge, one container on it, and its rules; dual-stack when the topology is. */
export async function addOtherNetwork(tn: TestNamespaces, world: PublisherTopology): Promise<OtherNetwork> {
  const o = TOPOLOGY.other;
  const o6 = TOPOLOGY6.other;
  const v6 = world.network.subnet6 !== undefined;
  await addBridge(world.host, o.bridge, `${o.gateway}/24`, v6 ? `${o6.gateway}/64` : undefined);
  const container = await attachContainer(tn, world.host, { label: 'ctr3', hostSide: 'ctt-ctr2', bridge: o.bridge, ip: o.containerIp, gateway: o.gateway, ...(v6 && { ip6: o6.containerIp, gateway6: o6.gateway }) });
  const rules = networkRules(o.bridge, o.subnet, o.gateway);
  return { container, network: v6 ? { ...rules, subnet6: o6.subnet, gateway6: o6.gateway } : rules };
}

/** A bridge holding `address` (gateway/prefix) and, when given, the IPv6 `address6` (without DAD), up. */
export async function addBridge(host: NetnsHandle, bridge: string, address: string, address6?: string): Promise<void> {
  await host.exec(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  await host.exec(['ip', 'addr', 'add', address, 'dev', bridge]);
  if (address6) await host.exec(['ip', 'addr', 'add', address6, 'dev', bridge, 'nodad']);
  await host.exec(['ip', 'link', 'set', bridge, 'up']);
}

/** One container of the topology: its addresses and next hops. */
interface ContainerSpec {
  label: string;
  hostSide: string;
  bridge: string;
  ip: string;
  gateway: string;
  ip6?: string;
  gateway6?: string;
}

/** A container namespace whose eth0 (`ip`/24, default route via `gateway`; `ip6`/64 via `gateway6`) is plugged into `bridge` as `hostSide`. */
async function attachContainer(tn: TestNamespaces, host: NetnsHandle, c: ContainerSpec): Promise<NetnsHandle> {
  const ns = await tn.create(c.label);
  await host.exec(['ip', 'link', 'add', c.hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.path]);
  await host.exec(['ip', 'link', 'set', c.hostSide, 'master', c.bridge, 'up']);
  // What a bridge driver does for proxy-less publishing (Docker too): with
  // br_netfilter, a container reaching its own published port is DNATed and
  // bridged back out of the port it came in on, which needs hairpin.
  await host.exec(['ip', 'link', 'set', c.hostSide, 'type', 'bridge_slave', 'hairpin', 'on']);
  await ns.exec(['ip', 'addr', 'add', `${c.ip}/24`, 'dev', 'eth0']);
  if (c.ip6) await ns.exec(['ip', 'addr', 'add', `${c.ip6}/64`, 'dev', 'eth0', 'nodad']);
  await ns.exec(['ip', 'link', 'set', 'eth0', 'up']);
  await ns.exec(['ip', 'route', 'add', 'default', 'via', c.gateway]);
  if (c.gateway6) await ns.exec(['ip', 'route', 'add', 'default', 'via', c.gateway6]);
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
