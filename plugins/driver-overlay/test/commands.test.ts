import { expect } from 'chai';
import { hostJoinCommands, leaveCommands, localDownCommands, localUpCommands, remoteFdbLines, remoteFdbRemoval, remoteIpCommands, remoteIpRemoval, sandboxJoinCommands } from '../src/commands.js';

const side = { bridge: 'ovb-0123456789a', vxlan: 'ovx-0123456789a', address: '10.210.3.1/24', mac: '02:42:0a:d2:03:01', mtu: 1450, vni: 42, local: '10.77.0.11' };
const remote = { host: 'host-c', address: '10.77.0.13', mac: '02:42:0a:d2:05:01', slice: '10.210.5.0/24', gateway: '10.210.5.1' };

describe('overlay kernel plans', () => {
  it('creates bridge and VXLAN device (nolearning, no flooding into the tunnel), or only re-asserts them', () => {
    const fresh = localUpCommands(side, { bridge: false, vxlan: false });
    expect(fresh[0]).to.deep.equal(['link', 'add', side.bridge, 'address', side.mac, 'mtu', '1450', 'type', 'bridge']);
    expect(fresh).to.deep.include(['link', 'add', side.vxlan, 'mtu', '1450', 'type', 'vxlan', 'id', '42', 'local', '10.77.0.11', 'dstport', '4789', 'nolearning']);
    expect(fresh.at(-1)).to.deep.equal(['link', 'set', side.vxlan, 'up', 'type', 'bridge_slave', 'learning', 'off', 'flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off']);
    const again = localUpCommands(side, { bridge: true, vxlan: true });
    expect(again.some((c) => c[1] === 'add')).to.equal(false);
    expect(again).to.deep.include(['addr', 'replace', side.address, 'broadcast', '+', 'dev', side.bridge]);
  });

  it('deletes the tunnel before the bridge', () => {
    expect(localDownCommands(side.bridge, side.vxlan)).to.deep.equal([['link', 'del', side.vxlan], ['link', 'del', side.bridge]]);
  });

  it('routes a remote slice via its gateway on the bridge, with a permanent neighbour and both FDB entries', () => {
    expect(remoteIpCommands(side.bridge, remote)).to.deep.equal([
      ['neigh', 'replace', '10.210.5.1', 'lladdr', remote.mac, 'dev', side.bridge, 'nud', 'permanent'],
      ['route', 'replace', '10.210.5.0/24', 'via', '10.210.5.1', 'dev', side.bridge, 'onlink'],
    ]);
    expect(remoteFdbLines(side.vxlan, remote)).to.deep.equal([
      `fdb replace ${remote.mac} dev ${side.vxlan} dst 10.77.0.13 self permanent`,
      `fdb replace ${remote.mac} dev ${side.vxlan} master static`,
    ]);
    expect(remoteIpRemoval(side.bridge, remote.slice, remote.gateway)).to.deep.equal([
      ['route', 'del', '10.210.5.0/24', 'dev', side.bridge],
      ['neigh', 'del', '10.210.5.1', 'dev', side.bridge],
    ]);
    expect(remoteFdbRemoval(side.vxlan, remote.mac)).to.deep.equal([`fdb del ${remote.mac} dev ${side.vxlan} self`, `fdb del ${remote.mac} dev ${side.vxlan} master`]);
  });

  it('gives a container the overlay MTU on both veth ends, its slice address, the cluster route and the default route', () => {
    const join = hostJoinCommands({ hostIfname: 'vo0123456789abc', ifname: 'eth0', mac: '02:42:0a:d2:03:02', mtu: 1450, bridge: side.bridge, netns: '/run/netns/x', address: '10.210.3.2' });
    expect(join[0]).to.deep.equal([
      'link', 'add', 'vo0123456789abc', 'mtu', '1450', 'master', side.bridge, 'up', 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', '1450', 'address', '02:42:0a:d2:03:02', 'netns', '/run/netns/x',
    ]);
    // Known at once: a remote host's packets need no ARP round (nor its one-second retry).
    expect(join.at(-1)).to.deep.equal(['neigh', 'replace', '10.210.3.2', 'lladdr', '02:42:0a:d2:03:02', 'dev', side.bridge, 'nud', 'reachable']);
    expect(leaveCommands('vo0123456789abc', '10.210.3.2', side.bridge)).to.deep.equal([['link', 'del', 'vo0123456789abc'], ['neigh', 'flush', 'to', '10.210.3.2', 'dev', side.bridge]]);
    const spec = { ifname: 'eth0', address: '10.210.3.2/24', gateway: '10.210.3.1', subnet: '10.210.0.0/16', slice: '10.210.3.0/24', defaultRoute: true };
    expect(sandboxJoinCommands(spec).slice(2)).to.deep.equal([
      ['route', 'replace', '10.210.0.0/16', 'via', '10.210.3.1', 'dev', 'eth0'],
      ['route', 'replace', 'default', 'via', '10.210.3.1', 'dev', 'eth0'],
    ]);
    expect(sandboxJoinCommands({ ...spec, defaultRoute: false, slice: '10.210.0.0/16' }).slice(2)).to.deep.equal([]);
  });
});
