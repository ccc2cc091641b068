import { expect } from 'chai';
import { table } from '../src/output.js';
import { hostSide, portLine, portsColumn } from '../src/views.js';

const binding = { containerId: 'c', networkId: 'n', bridge: 'ctrnet0', protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 };

describe('CLI output', () => {
  it("pads table columns like Docker's tabwriter: widest cell plus 3, at least 10", () => {
    expect(table(['A', 'LONGER'], [['xyz', '1']])).to.equal('A         LONGER\nxyz       1\n');
    expect(table(['CONTAINER ID', 'X'], [['0123456789ab', 'y']])).to.equal('CONTAINER ID   X\n0123456789ab   y\n');
  });

  it("prints Docker's port lines, host sides and PORTS column", () => {
    expect(portLine(binding)).to.equal('80/tcp -> 0.0.0.0:8080');
    expect(hostSide(binding)).to.equal('0.0.0.0:8080');
    expect(portsColumn([binding], [{ port: 80, protocol: 'tcp' }, { port: 9000, protocol: 'udp' }])).to.equal('0.0.0.0:8080->80/tcp, 9000/udp');
  });

  it('brackets IPv6 host addresses and marks routed ports', () => {
    const v6 = { ...binding, hostIp: '::', containerIp: 'fd00::2' };
    expect(portLine(v6)).to.equal('80/tcp -> [::]:8080');
    expect(portsColumn([binding, v6], [])).to.equal('0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
    expect(portLine({ ...v6, hostIp: 'fd00::2', hostPort: 80, routed: true })).to.equal('80/tcp -> [fd00::2]:80 (routed)');
  });
});
