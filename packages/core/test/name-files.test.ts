import { expect } from 'chai';
import { buildResolvConf } from '../src/runtime/name-files.js';

describe('buildResolvConf', () => {
  const host = 'nameserver 192.0.2.53\nnameserver 127.0.0.53\nsearch corp.test\noptions edns0\n';
  const none = { dns: [], dnsSearch: [], dnsOptions: [] };

  it("names the host's non-loopback resolvers, search and options without an embedded resolver", () => {
    expect(buildResolvConf({ hostResolvConf: host, ...none })).to.equal('nameserver 192.0.2.53\nsearch corp.test\noptions edns0\n');
  });

  it('puts --dns, --dns-search and --dns-option in place of the host\'s', () => {
    expect(buildResolvConf({ hostResolvConf: host, dns: ['10.9.9.9'], dnsSearch: ['example.test'], dnsOptions: ['ndots:2'] })).to.equal(
      'nameserver 10.9.9.9\nsearch example.test\noptions ndots:2\n',
    );
  });

  it('names only the embedded resolver, with ndots:0 (Docker), which a --dns-option ndots replaces', () => {
    expect(buildResolvConf({ hostResolvConf: host, ...none, embedded: '10.71.0.1' })).to.equal('nameserver 10.71.0.1\nsearch corp.test\noptions ndots:0\n');
    expect(buildResolvConf({ hostResolvConf: host, dns: ['10.9.9.9'], dnsSearch: [], dnsOptions: ['ndots:2', 'timeout:1'], embedded: '10.71.0.1' })).to.equal(
      'nameserver 10.71.0.1\nsearch corp.test\noptions ndots:2 timeout:1\n',
    );
    expect(buildResolvConf({ hostResolvConf: host, ...none, dnsOptions: ['attempts:3'], embedded: '10.71.0.1' })).to.contain('options ndots:0 attempts:3\n');
  });
});
