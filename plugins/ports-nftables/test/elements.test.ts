import { expect } from 'chai';
import { CtrnetError, type NetworkRules, type PortBinding } from '@ctrnet/core';
import { allNetworkElements, bindingElements, elementKey, linkElements, mergeElements, networkElements, prefix } from '../src/elements.js';

const NET: NetworkRules = { networkId: 'n', bridge: 'br0', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false, icc: true, masquerade: true };

function port(hostPort: number, overrides: Partial<PortBinding> = {}): PortBinding {
  return { containerId: 'c', networkId: 'n', bridge: 'br0', protocol: 'tcp', hostIp: '0.0.0.0', hostPort, containerIp: '10.1.0.2', containerPort: 80, ...overrides };
}

describe('elements', () => {
  it('splits a network into the elements its options call for and those they rule out', () => {
    expect(networkElements(NET)).to.deep.equal({
      present: {
        bridges: ['"br0"'],
        subnets: ['10.1.0.0/24'],
        gateways: ['10.1.0.1'],
        subnetBridges: ['10.1.0.0/24 . "br0"'],
        masqueradeSubnets: ['10.1.0.0/24'],
        iccBridges: ['"br0" . "br0"'],
      },
      absent: { internalBridges: ['"br0"'], openSubnets: ['10.1.0.0/24'], routedSubnets: ['10.1.0.0/24'] },
    });
  });

  it('gives an IPv6-only network IPv6 elements only, and an isolated family no gateway', () => {
    const v6: NetworkRules = { networkId: 'n', bridge: 'br0', subnet6: 'FD00:1::/64' as string, gateway6: 'fd00:1::1', internal: true, icc: true, masquerade: true };
    const { present } = networkElements({ ...v6, subnet6: 'fd00:1::/64' });
    expect(present).to.deep.equal({
      bridges: ['"br0"'],
      internalBridges: ['"br0"'],
      iccBridges: ['"br0" . "br0"'],
      subnets6: ['fd00:1::/64'],
      gateways6: ['fd00:1::1'],
      subnetBridges6: ['fd00:1::/64 . "br0"'],
    });
    expect(networkElements({ ...v6, subnet6: 'fd00:1::/64', gateway6: undefined, gatewayMode6: 'isolated' }).present.gateways6).to.equal(undefined);
  });

  it('never masquerades an internal network, even with masquerade on', () => {
    const { present, absent } = networkElements({ ...NET, internal: true });
    expect(present.masqueradeSubnets).to.equal(undefined);
    expect(absent.masqueradeSubnets).to.deep.equal(['10.1.0.0/24']);
    expect(present.internalBridges).to.deep.equal(['"br0"']);
  });

  it('lists every element a network may own for removal', () => {
    expect(Object.keys(allNetworkElements(NET))).to.deep.equal(['bridges', 'subnets', 'gateways', 'subnetBridges', 'masqueradeSubnets', 'internalBridges', 'iccBridges', 'openSubnets', 'routedSubnets']);
  });

  it('maps 0.0.0.0 bindings by protocol and port, others by address too', () => {
    expect(bindingElements([port(8080), port(53, { hostIp: '192.168.1.5', protocol: 'udp', containerPort: 5353 })])).to.deep.equal({
      dnat4: ['192.168.1.5 . udp . 53 : 10.1.0.2 . 5353'],
      dnat4Any: ['tcp . 8080 : 10.1.0.2 . 80'],
    });
  });

  it('accepts a binding repeated, refuses one host port bound to two targets', () => {
    expect(bindingElements([port(8080), port(8080)])).to.deep.equal({ dnat4Any: ['tcp . 8080 : 10.1.0.2 . 80'] });
    expect(() => bindingElements([port(8080), port(8080, { containerIp: '10.1.0.3' })]))
      .to.throw(CtrnetError, 'host port 0.0.0.0:8080/tcp is bound twice, to 10.1.0.2:80 and to 10.1.0.3:80')
      .with.property('code', 'INVALID_ARGUMENT');
  });

  it('has no elements for no bindings', () => {
    expect(bindingElements([])).to.deep.equal({});
  });

  it('makes one link element per exposed port', () => {
    expect(linkElements({ containerId: 'c', bridge: 'br0', sourceIp: '10.1.0.3', targetIp: '10.1.0.2', ports: [{ port: 80, protocol: 'tcp' }] })).to.deep.equal({
      links: ['10.1.0.3 . 10.1.0.2 . tcp . 80'],
    });
  });

  it('merges in set order without duplicates', () => {
    expect(mergeElements({ dnat4Any: ['a'], bridges: ['x'] }, { bridges: ['x', 'y'] })).to.deep.equal({ bridges: ['x', 'y'], dnat4Any: ['a'] });
  });

  it('writes subnets as nft prints them and finds a map element key', () => {
    expect(prefix('10.0.0.0/8')).to.equal('10.0.0.0/8');
    expect(prefix('10.0.0.7/32')).to.equal('10.0.0.7');
    expect(prefix('10.1.0.5/24')).to.equal('10.1.0.0/24');
    expect(prefix('FD00:1::5/64')).to.equal('fd00:1::/64');
    expect(prefix('fd00::7/128')).to.equal('fd00::7');
    expect(elementKey('tcp . 80 : 10.0.0.2 . 80')).to.equal('tcp . 80');
    expect(elementKey('"br0"')).to.equal('"br0"');
  });
});
