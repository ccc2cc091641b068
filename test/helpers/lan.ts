/** A LAN for e2e checks: a namespace on a veth to the test's host namespace, routing everything through the host, over IPv4 and IPv6. */
import { execIn, startHttpServer, type NetnsHandle, type TestNamespaces } from '@ctrnet/testkit';

export const HOST_LAN_IP = '10.200.0.1';
export const LAN_PEER_IP = '10.200.0.2';
export const HOST_LAN_IP6 = 'fd00:200::1';
export const LAN_PEER_IP6 = 'fd00:200::2';

/** Make the LAN peer, with a web server answering `lan peer` on port 80. */
export async function createLan(tn: TestNamespaces, host: NetnsHandle): Promise<NetnsHandle> {
  const lan = await tn.create('lan');
  await execIn(host, ['ip', 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
  await execIn(host, ['ip', 'addr', 'add', `${HOST_LAN_IP}/24`, 'dev', 'lan0']);
  // Without DAD: usable at once.
  await execIn(host, ['ip', 'addr', 'add', `${HOST_LAN_IP6}/64`, 'dev', 'lan0', 'nodad']);
  await execIn(host, ['ip', 'link', 'set', 'lan0', 'up']);
  await lan.exec(['ip', 'addr', 'add', `${LAN_PEER_IP}/24`, 'dev', 'eth0']);
  await lan.exec(['ip', 'addr', 'add', `${LAN_PEER_IP6}/64`, 'dev', 'eth0', 'nodad']);
  await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
  await lan.exec(['ip', 'route', 'add', 'default', 'via', HOST_LAN_IP]);
  await lan.exec(['ip', 'route', 'add', 'default', 'via', HOST_LAN_IP6]);
  await startHttpServer(tn, lan, { port: 80, body: 'lan peer' });
  return lan;
}
