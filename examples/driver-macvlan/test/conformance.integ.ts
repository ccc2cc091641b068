/**
 * The macvlan driver against the conformance kit. The parent is one end of
 * a veth pair (this kernel has no dummy links); the other end sits in a "LAN"
 * namespace holding the gateway address, since with macvlan the gateway is
 * a router on the parent's LAN, not an interface of the host.
 */
import { describeNetworkDriver } from '@ctrnet/testkit';
import plugin, { MacvlanDriver } from '../src/index.js';

const PARENT = 'mvparent0';

describeNetworkDriver('ctrnet-driver-macvlan', () => new MacvlanDriver(), {
  plugin,
  networkOptions: { parent: PARENT },
  invalidOptions: [{}, { parent: 'not a name' }, { parent: PARENT, macvlan_mode: 'vepa' }, { parent: PARENT, mtu: '1400' }],
  async prepareHost({ tn, host, pool }) {
    const lan = await tn.create('lan');
    await host.exec(['ip', 'link', 'add', PARENT, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
    await host.exec(['ip', 'link', 'set', PARENT, 'up']);
    const prefix = pool.subnet.split('/')[1]!;
    await lan.exec(['ip', 'addr', 'add', `${pool.gateway}/${prefix}`, 'dev', 'eth0']);
    await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
    return { gatewayNetns: lan };
  },
});
