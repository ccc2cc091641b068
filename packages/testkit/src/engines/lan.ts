/**
 * A "LAN" next to a fence's host namespace: a second namespace joined to it
 * by a veth pair, routed through it, so a test can reach a published port
 * the way another machine would. Both addresses exist only on that pair.
 */
import createDebug from 'debug';
import type { TestNamespaces } from '../namespaces.js';
import type { NetnsHandle } from '../netns.js';

const debug = createDebug('ctrnet:testkit:engines:lan');

/** Addresses of the veth pair; 10.251.60.0/24 keeps clear of Docker's 172.17/16 and Podman's 10.88/16. */
export const LAN_TOPOLOGY = { hostAddress: '10.251.60.1', lanAddress: '10.251.60.2', prefixLen: 24 } as const;

/** A LAN namespace routed through a host namespace. */
export interface Lan {
  /** The LAN namespace: probes from here play a client on another machine. */
  ns: NetnsHandle;
  /** The host end's address: where a published port answers. */
  hostAddress: string;
  /** The LAN end's address. */
  lanAddress: string;
}

/**
 * Makes a namespace `lan`, a veth pair `lan0` (in `host`) / `lan1` (in the
 * LAN) with {@link LAN_TOPOLOGY}'s addresses, and a default route in the LAN
 * via the host. Removed with `tn`'s namespaces (deleting a namespace deletes
 * its veth end, and with it the pair).
 */
export async function createLan(tn: TestNamespaces, host: NetnsHandle): Promise<Lan> {
  const lan = await tn.create('lan');
  const { hostAddress, lanAddress, prefixLen } = LAN_TOPOLOGY;
  await host.exec(['ip', 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan1', 'netns', lan.path]);
  await host.exec(['ip', 'addr', 'add', `${hostAddress}/${prefixLen}`, 'dev', 'lan0']);
  await host.exec(['ip', 'link', 'set', 'lan0', 'up']);
  await lan.exec(['ip', 'addr', 'add', `${lanAddress}/${prefixLen}`, 'dev', 'lan1']);
  await lan.exec(['ip', 'link', 'set', 'lan1', 'up']);
  await lan.exec(['ip', 'route', 'add', 'default', 'via', hostAddress]);
  debug('%s <-> %s', host.name, lan.name);
  return { ns: lan, hostAddress, lanAddress };
}
