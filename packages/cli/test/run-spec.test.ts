import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { toSpec } from '../src/commands/run-spec.js';

describe('run options → RunSpec', () => {
  it('parses every option into the spec and remembers which were given', () => {
    const spec = toSpec(['sleep', '1'], {
      name: 'web',
      net: 'red',
      publish: ['8080:80', '127.0.0.1::53/udp'],
      expose: ['9000-9001'],
      dns: ['1.1.1.1'],
      dnsSearch: ['example.test'],
      dnsOption: ['ndots:2'],
      hostname: 'h1',
      addHost: ['db:10.0.0.5'],
      link: ['db:database'],
      macAddress: '02:42:AC:11:00:09',
      ip: '10.0.0.9',
      defaultGateway: '10.0.0.254',
      env: ['A=1', 'B=two=2'],
      detach: true,
    });
    expect(spec.network).to.equal('red');
    expect(spec.publish).to.have.length(2);
    expect(spec.publish[1]).to.deep.include({ hostIp: '127.0.0.1', protocol: 'udp' });
    expect(spec.expose).to.deep.equal([{ port: 9000, protocol: 'tcp' }, { port: 9001, protocol: 'tcp' }]);
    expect(spec.addHosts).to.deep.equal([['db', '10.0.0.5']]);
    expect(spec.links).to.deep.equal([['db', 'database']]);
    expect(spec.macAddress).to.equal('02:42:ac:11:00:09');
    expect(spec.env).to.deep.equal([['A', '1'], ['B', 'two=2']]);
    expect(spec.given).to.include.members(['publish', 'expose', 'hostname', 'dns', 'add-host', 'link', 'mac-address', 'ip', 'default-gateway']);
    expect(spec.given).to.not.include('publish-all');
  });

  it('takes --ip6 and remembers it was given', () => {
    const spec = toSpec(['true'], { ip6: 'fd00::9', publish: ['[::1]:8080:80'] });
    expect(spec.ip6).to.equal('fd00::9');
    expect(spec.publish[0]).to.deep.include({ hostIp: '::1' });
    expect(spec.given).to.include('ip6');
  });

  it('defaults to the bridge network and Docker defaults', () => {
    const spec = toSpec(['true'], {});
    expect(spec.network).to.equal('bridge');
    expect(spec.detach).to.equal(false);
    expect(spec.given).to.deep.equal([]);
  });

  const cases: [string, Parameters<typeof toSpec>[1]][] = [
    ['-p', { publish: ['80:'] }],
    ['--mac-address', { macAddress: '01:00:5e:00:00:01' }],
    ['--dns', { dns: ['not-an-ip'] }],
    ['--add-host', { addHost: ['nocolon'] }],
    ['--env', { env: ['1BAD=x'] }],
    ['--link', { link: ['a:b:c'] }],
  ];
  for (const [flag, opts] of cases) {
    it(`refuses a bad ${flag} with a usage error naming the value`, () => {
      let caught: unknown;
      try {
        toSpec(['true'], opts);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(CtrnetError);
      expect((caught as CtrnetError).exitStatus).to.equal(2);
      expect((caught as CtrnetError).message).to.not.contain('\n');
    });
  }
});
