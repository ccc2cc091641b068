import { expect } from 'chai';
import { isCtrnetError, type Network, type NetworkRequest } from '@ctrnet/core';
import { OverlayDriver } from '../src/index.js';
import { preferredVni } from '../src/names.js';

const cluster = { etcd: ['http://10.77.0.1:2379'], hostName: 'host-a', advertiseAddress: '10.77.0.11', leaseTtlSeconds: 15 };
const id = '0123456789abcdef'.repeat(4);
const request = (options: Record<string, string> = {}): NetworkRequest => ({ name: 'ov', driver: 'overlay', internal: false, ipv6: false, subnet: '10.210.0.0/16', options });

function network(): Network {
  const plan = new OverlayDriver({ stateDir: '/tmp', cluster }).planNetwork(request(), id);
  return { id, name: 'ov', driver: 'overlay', ipamDriver: 'etcd', internal: false, ipv6: false, ...plan, created: '', pool: { subnet: '10.210.0.0/16', ipRange: '10.210.3.0/24', gateway: '10.210.3.1' } };
}

describe('overlay driver (pure parts)', () => {
  it('refuses to plan without a cluster, in one line saying what to set', () => {
    try {
      new OverlayDriver({ stateDir: '/tmp' }).planNetwork(request(), id);
      expect.fail('planned');
    } catch (err) {
      expect(isCtrnetError(err, 'INVALID_ARGUMENT')).to.equal(true);
      expect((err as Error).message).to.include('set cluster.etcd, cluster.hostName and cluster.advertiseAddress').and.not.include('\n');
    }
  });

  it('names its devices after the network id and prefers a VNI derived from it', () => {
    const plan = new OverlayDriver({ stateDir: '/tmp', cluster }).planNetwork(request({ icc: 'false' }), id);
    expect(plan).to.deep.equal({ options: { icc: 'false' }, driverData: { bridge: 'ovb-0123456789a', vxlan: 'ovx-0123456789a', vni: String(preferredVni(id)) } });
    expect(preferredVni('000000' + id.slice(6))).to.equal(1);
    expect(preferredVni('ffffff' + id.slice(6))).to.be.within(1, 2 ** 24 - 1);
  });

  it('firewalls the local bridge over the whole cluster subnet, with this host gateway', () => {
    expect(new OverlayDriver({ stateDir: '/tmp', cluster }).firewall(network())).to.deep.equal({
      device: 'ovb-0123456789a',
      subnet: '10.210.0.0/16',
      gateway: '10.210.3.1',
      icc: true,
      masquerade: true,
      defaultHostIp: '0.0.0.0',
    });
  });

  it('plans an endpoint with the slice prefix, this host gateway and a MAC from the address', () => {
    const planned = new OverlayDriver({ stateDir: '/tmp', cluster }).planEndpoint(network(), {
      id: 'fedcba9876543210'.repeat(4),
      containerId: id,
      networkId: id,
      ifname: 'eth0',
      ipv4: '10.210.3.7',
      defaultRoute: true,
    });
    expect(planned).to.include({ prefixLen: 24, gateway: '10.210.3.1', mac: '02:42:0a:d2:03:07', hostIfname: 'vofedcba9876543' });
  });
});
