import { expect } from 'chai';
import { bridgeOf, ipamSubnets, parseConfList, pluginBinaries, pluginRequest } from '../src/conflist.js';
import { configVersions, negotiate } from '../src/versions.js';

const text = JSON.stringify({
  cniVersion: '1.1.0',
  name: 'net',
  plugins: [
    { type: 'bridge', bridge: 'br9', capabilities: { mac: true }, ipam: { type: 'host-local', ranges: [[{ subnet: '10.9.0.0/24' }]] } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
});

describe('conflist', () => {
  const list = parseConfList(text, 'test');

  it('names the binaries, the bridge and the IPAM subnets', () => {
    expect(pluginBinaries(list)).to.deep.equal(['bridge', 'host-local', 'portmap']);
    expect(bridgeOf(list)).to.equal('br9');
    expect(ipamSubnets(list)).to.deep.equal(['10.9.0.0/24']);
  });

  it('builds a plugin request as libcni does: name and version injected, runtimeConfig cut to declared capabilities, no capabilities key', () => {
    const request = pluginRequest(list, list.plugins[0]!, '1.0.0', { mac: '02:00:00:00:00:01', ips: ['10.9.0.2/24'] }, { cniVersion: '1.0.0' });
    expect(request).to.deep.equal({
      type: 'bridge',
      bridge: 'br9',
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.9.0.0/24' }]] },
      cniVersion: '1.0.0',
      name: 'net',
      runtimeConfig: { mac: '02:00:00:00:00:01' },
      prevResult: { cniVersion: '1.0.0' },
    });
    expect(pluginRequest(list, list.plugins[1]!, '1.0.0', { mac: 'x' })).to.not.have.property('runtimeConfig');
  });

  it('refuses lists without plugins or with a type that is a path', () => {
    expect(() => parseConfList('{"cniVersion":"1.0.0","name":"n","plugins":[]}', 't')).to.throw(/no "plugins"/);
    expect(() => parseConfList('{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../x"}]}', 't')).to.throw(/valid "type"/);
    expect(() => parseConfList('nope', 't')).to.throw(/not JSON/);
  });
});

describe('version negotiation', () => {
  const list = parseConfList(text, 'test');
  const debian = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0'];

  it('runs a 1.1.0 list at 1.0.0 when that is all the binaries speak (Debian 12)', () => {
    expect(negotiate(list, new Map([['bridge', debian], ['host-local', debian]]))).to.equal('1.0.0');
  });

  it('keeps to cniVersions when the list gives them', () => {
    const pinned = { ...list, cniVersions: ['0.4.0'] };
    expect(configVersions(pinned)).to.deep.equal(['0.4.0']);
    expect(negotiate(pinned, new Map([['bridge', debian]]))).to.equal('0.4.0');
  });

  it('names what each binary speaks when nothing is common', () => {
    expect(() => negotiate({ ...list, cniVersion: '0.3.0' }, new Map([['bridge', ['1.0.0']]]))).to.throw(/bridge speaks 1\.0\.0/);
  });
});
