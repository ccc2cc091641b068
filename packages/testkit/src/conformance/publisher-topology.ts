/**
 * The small world a port publisher is tested in, built without any
 * driver so the suite depends on nothing but the publisher:
 *
 *   container netns            host netns                      LAN netns
 *   eth0 10.250.5.2/24 ── ctt-ctr0 ⊂ ctt-pub0 10.250.5.1/24
 *                                    ctt-lan0 10.250.6.1/24 ── eth0 10.250.6.2/24
 *
 * The LAN has no route to the container subnet unless asked for: egress
 * then only works when masqueraded, and a route makes direct routing (which
 * the publisher must block) possible.
 */
import type { NetworkRules } from '@ctrnet/core';
import type { TestNamespaces } from '../namespaces.js';
import type { NetnsHandle } from '../netns.js';
import { hexId } from './harness.js';

export const TOPOLOGY = {
  bridge: 'ctt-pub0',
  subnet: '10.250.5.0/24',
  gateway: '10.250.5.1',
  containerIp: '10.250.5.2',
  hostLanIp: '10.250.6.1',
  lanIp: '10.250.6.2',
  /** A second network, with a bridge and no containers, for "remove exactly one network". */
  other: { bridge: 'ctt-pub1', subnet: '10.250.8.0/24', gateway: '10.250.8.1' },
} as const;

export interface PublisherTopology {
  host: NetnsHandle;
  container: NetnsHandle;
  lan: NetnsHandle;
  /** The rules of the container's network, as core would pass them. */
  network: NetworkRules;
}

/** Build the topology; `lanRoute` gives the LAN a route to the container subnet via the host. */
export async function buildPublisherTopology(tn: TestNamespaces, options: { lanRoute?: boolean } = {}): Promise<PublisherTopology> {
  const t = TOPOLOGY;
  const host = await tn.createHost();
  const container = await tn.create('ctr');
  const lan = await tn.create('lan');
  await addBridge(host, t.bridge, `${t.gateway}/24`);
  await host.exec(['ip', 'link', 'add', 'ctt-ctr0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', container.path]);
  await host.exec(['ip', 'link', 'set', 'ctt-ctr0', 'master', t.bridge, 'up']);
  await container.exec(['ip', 'addr', 'add', `${t.containerIp}/24`, 'dev', 'eth0']);
  await container.exec(['ip', 'link', 'set', 'eth0', 'up']);
  await container.exec(['ip', 'route', 'add', 'default', 'via', t.gateway]);
  await host.exec(['ip', 'link', 'add', 'ctt-lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
  await host.exec(['ip', 'addr', 'add', `${t.hostLanIp}/24`, 'dev', 'ctt-lan0']);
  await host.exec(['ip', 'link', 'set', 'ctt-lan0', 'up']);
  await lan.exec(['ip', 'addr', 'add', `${t.lanIp}/24`, 'dev', 'eth0']);
  await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
  if (options.lanRoute) await lan.exec(['ip', 'route', 'add', t.subnet, 'via', t.hostLanIp]);
  return { host, container, lan, network: networkRules(t.bridge, t.subnet, t.gateway) };
}

/** A bridge holding `address` (gateway/prefix), up. */
export async function addBridge(host: NetnsHandle, bridge: string, address: string): Promise<void> {
  await host.exec(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  await host.exec(['ip', 'addr', 'add', address, 'dev', bridge]);
  await host.exec(['ip', 'link', 'set', bridge, 'up']);
}

/** A network's rules with Docker's defaults: ICC on, masquerade on, not internal. */
export function networkRules(bridge: string, subnet: string, gateway: string): NetworkRules {
  return { networkId: hexId(), bridge, subnet, gateway, internal: false, icc: true, masquerade: true };
}
