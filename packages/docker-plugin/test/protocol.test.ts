import { expect } from 'chai';
import { dockerMac, endpointOwner, handoffName, networkName, publishRequests, withoutPrefix } from '../src/protocol.js';

describe("Docker's plugin values", () => {
  it('turns port bindings into publish requests: numeric protocols, 0 = an ephemeral host port, ranges', () => {
    expect(
      publishRequests([
        { Proto: 6, Port: 80, HostPort: 8080 },
        { Proto: 17, Port: 53, HostIP: '127.0.0.1', HostPort: 5300, HostPortEnd: 5310 },
        { Proto: 6, Port: 443, HostPort: 0 },
      ]),
    ).to.deep.equal([
      { hostPorts: { start: 8080, end: 8080 }, containerPorts: { start: 80, end: 80 }, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPorts: { start: 5300, end: 5310 }, containerPorts: { start: 53, end: 53 }, protocol: 'udp' },
      { containerPorts: { start: 443, end: 443 }, protocol: 'tcp' },
    ]);
    expect(publishRequests(undefined)).to.deep.equal([]);
  });

  it('refuses port maps it cannot read, naming what is wrong', () => {
    expect(() => publishRequests('80')).to.throw(/must be a list/);
    expect(() => publishRequests([null])).to.throw(/port binding objects/);
    expect(() => publishRequests([{ Proto: 1, Port: 80 }])).to.throw(/protocol number 1/);
    expect(() => publishRequests([{ Proto: 6, Port: 0 }])).to.throw(/invalid container port 0/);
  });

  it('reads MACs as text or as the base64 Go marshals net.HardwareAddr to', () => {
    expect(dockerMac('92:D0:C6:0A:29:33')).to.equal('92:d0:c6:0a:29:33');
    expect(dockerMac(Buffer.from([0x92, 0xd0, 0xc6, 0x0a, 0x29, 0x33]).toString('base64'))).to.equal('92:d0:c6:0a:29:33');
    expect(dockerMac('')).to.equal(undefined);
    expect(() => dockerMac('AAAA')).to.throw(/invalid MAC/);
  });

  it("names networks, owners and hand-off interfaces after Docker's hex ids, refusing anything else", () => {
    const id = 'a'.repeat(64);
    expect(networkName(id)).to.equal('docker-aaaaaaaaaaaa');
    expect(endpointOwner(id)).to.equal(`docker:${id}`);
    expect(handoffName(id)).to.have.length.at.most(15);
    expect(() => networkName('../etc')).to.throw(/Docker's hex id/);
    expect(() => endpointOwner('x')).to.throw(/Docker's hex id/);
    expect(withoutPrefix('172.18.0.2/16')).to.equal('172.18.0.2');
  });
});
