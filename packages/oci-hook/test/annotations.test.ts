import { expect } from 'chai';
import { hookRequest } from '../src/annotations.js';
import { parseState } from '../src/state.js';

describe('hookRequest', () => {
  it('does nothing for a container without ctrnet.network', () => {
    expect(hookRequest({ 'org.example': 'x' })).to.equal(undefined);
  });

  it('reads network, -p style ports, address, MAC, interface, DNS and aliases', () => {
    expect(
      hookRequest({
        'ctrnet.network': 'web',
        'ctrnet.ports': '8080:80, 127.0.0.1:5353:53/udp',
        'ctrnet.ip': '10.9.0.9',
        'ctrnet.mac': '92:D0:C6:0A:29:33',
        'ctrnet.ifname': 'net0',
        'ctrnet.dns': '10.9.0.1',
        'ctrnet.aliases': 'www,site',
      }),
    ).to.deep.equal({
      network: 'web',
      ifname: 'net0',
      publish: [
        { hostPorts: { start: 8080, end: 8080 }, containerPorts: { start: 80, end: 80 }, protocol: 'tcp' },
        { hostIp: '127.0.0.1', hostPorts: { start: 5353, end: 5353 }, containerPorts: { start: 53, end: 53 }, protocol: 'udp' },
      ],
      ip: '10.9.0.9',
      mac: '92:d0:c6:0a:29:33',
      aliases: ['www', 'site'],
      dns: { servers: ['10.9.0.1'], searches: [] },
    });
  });

  it('names the annotation of a bad port spec', () => {
    expect(() => hookRequest({ 'ctrnet.network': 'web', 'ctrnet.ports': '80:http' })).to.throw(/ctrnet\.ports/);
  });
});

describe('parseState', () => {
  it('reads what runc and crun send, pid 0 in poststop included', () => {
    expect(parseState('{"ociVersion":"1.0.2","id":"c1","status":"stopped","pid":0,"bundle":"/b"}')).to.deep.equal({ ociVersion: '1.0.2', id: 'c1', status: 'stopped', pid: 0, bundle: '/b', annotations: {} });
  });

  it('refuses a state that is not JSON or has no id', () => {
    expect(() => parseState('nope')).to.throw(/not JSON/);
    expect(() => parseState('{"pid":1}')).to.throw(/"id"/);
  });
});
