import { expect } from 'chai';
import { hostJoinCommands, hostLeaveCommands, sandboxJoinCommands, sandboxLeaveCommands, tempIfnameFor } from '../src/commands.js';

describe('macvlan commands', () => {
  it('names the temporary link mv + 13 hex chars of the endpoint id: 15, the kernel limit', () => {
    expect(tempIfnameFor('feedc0ffee0123456789abcdef')).to.equal('mvfeedc0ffee012');
  });

  it('creates the link on the parent with its final MAC, then moves it into the sandbox', () => {
    expect(hostJoinCommands({ tempIfname: 'mvfeedc0ffee012', parent: 'eth0', mac: '02:42:0a:fa:07:02', netns: '/run/netns/ctrnet-abc' })).to.deep.equal([
      ['link', 'add', 'link', 'eth0', 'name', 'mvfeedc0ffee012', 'address', '02:42:0a:fa:07:02', 'type', 'macvlan', 'mode', 'bridge'],
      ['link', 'set', 'mvfeedc0ffee012', 'netns', '/run/netns/ctrnet-abc'],
    ]);
  });

  it('renames, addresses and routes inside the sandbox; no default route when the endpoint does not carry it', () => {
    const spec = { tempIfname: 'mvfeedc0ffee012', ifname: 'eth0', address: '10.250.7.2/24' };
    expect(sandboxJoinCommands({ ...spec, defaultVia: '10.250.7.1' })).to.deep.equal([
      ['link', 'set', 'mvfeedc0ffee012', 'name', 'eth0'],
      ['addr', 'add', '10.250.7.2/24', 'broadcast', '+', 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'],
      ['route', 'replace', 'default', 'via', '10.250.7.1', 'dev', 'eth0'],
    ]);
    expect(sandboxJoinCommands({ ...spec, ifname: 'eth1' })).to.have.length(3);
  });

  it('leaves by deleting the link wherever a half-done join may have left it', () => {
    expect(hostLeaveCommands('mvfeedc0ffee012')).to.deep.equal([['link', 'del', 'mvfeedc0ffee012']]);
    expect(sandboxLeaveCommands('eth1', 'mvfeedc0ffee012')).to.deep.equal([
      ['link', 'del', 'eth1'],
      ['link', 'del', 'mvfeedc0ffee012'],
    ]);
  });
});
