import { expect } from 'chai';
import type { SandboxAttachment } from '@ctrnet/core/api';
import { addResult } from '../src/result.js';

const attachment: SandboxAttachment = {
  owner: 'cni:c1',
  ifname: 'eth0',
  id: 'f'.repeat(64),
  network: 'web',
  networkId: 'e'.repeat(64),
  netnsPath: '/run/netns/x',
  handoff: false,
  mac: '02:42:0a:09:00:02',
  ipv4: '10.9.0.2',
  prefixLen: 24,
  gateway: '10.9.0.1',
  defaultRoute: true,
  hostIfname: 'vc0123456789abc',
  device: 'ctr-0123456789a',
  bindings: [],
  aliases: [],
  dns: { servers: ['10.9.0.1'], searches: [], options: [] },
  created: '2026-01-01T00:00:00.000Z',
};

describe('addResult', () => {
  it('answers 1.0.0 and 1.1.0 without ips[].version, the sandbox interface with its MAC', () => {
    for (const version of ['1.0.0', '1.1.0'] as const) {
      expect(addResult(version, attachment, '/run/netns/x')).to.deep.equal({
        cniVersion: version,
        interfaces: [{ name: 'ctr-0123456789a' }, { name: 'vc0123456789abc' }, { name: 'eth0', mac: '02:42:0a:09:00:02', sandbox: '/run/netns/x' }],
        ips: [{ address: '10.9.0.2/24', gateway: '10.9.0.1', interface: 2 }],
        routes: [{ dst: '0.0.0.0/0', gw: '10.9.0.1' }],
        dns: { nameservers: ['10.9.0.1'] },
      });
    }
  });

  it('answers 0.4.0 with ips[].version', () => {
    expect(addResult('0.4.0', attachment, '/run/netns/x').ips).to.deep.equal([{ version: '4', address: '10.9.0.2/24', gateway: '10.9.0.1', interface: 2 }]);
  });

  it('appends to a previous result, keeping its indexes, and gives no default route on a second interface', () => {
    const prev = { cniVersion: '1.0.0', interfaces: [{ name: 'lo' }], ips: [{ address: '127.0.0.2/8', interface: 0 }] };
    const result = addResult('1.0.0', { ...attachment, defaultRoute: false, dns: { servers: [], searches: [], options: [] } }, '/run/netns/x', prev);
    expect(result.interfaces!.map((i) => i.name)).to.deep.equal(['lo', 'ctr-0123456789a', 'vc0123456789abc', 'eth0']);
    expect(result.ips!.map((i) => i.interface)).to.deep.equal([0, 3]);
    expect(result.routes).to.deep.equal([]);
    expect(result.dns).to.equal(undefined);
  });
});
