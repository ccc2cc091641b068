import { expect } from 'chai';
import { canonicalIp, formatServer, parseServer, reverseName } from '../src/addresses.js';

describe('addresses', () => {
  it('canonicalises addresses so view and socket spellings meet', () => {
    expect(canonicalIp('FD00:0::0:1')).to.equal('fd00::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).to.equal('2001:db8::1:0:0:1');
    expect(canonicalIp('10.0.0.1')).to.equal('10.0.0.1');
    expect(canonicalIp('10.0.0.300')).to.equal(undefined);
    expect(canonicalIp('web')).to.equal(undefined);
  });

  it('builds reverse names for both families', () => {
    expect(reverseName('10.1.2.3')).to.equal('3.2.1.10.in-addr.arpa');
    expect(reverseName('2001:db8::1')).to.equal('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });

  it('parses servers with and without ports', () => {
    expect(parseServer('10.0.0.1')).to.deep.equal({ address: '10.0.0.1', port: 53, family: 4 });
    expect(parseServer('10.0.0.1:5353')).to.deep.equal({ address: '10.0.0.1', port: 5353, family: 4 });
    expect(parseServer('FD00::1')).to.deep.equal({ address: 'fd00::1', port: 53, family: 6 });
    expect(parseServer('[fd00::1]:5353')).to.deep.equal({ address: 'fd00::1', port: 5353, family: 6 });
    for (const bad of ['', 'dns.example', '10.0.0.1:0', '10.0.0.1:70000', '[fd00::1]:x', 'fd00::1:5353:']) {
      expect(() => parseServer(bad), bad).to.throw(/DNS server/);
    }
  });

  it('formats servers for messages', () => {
    expect(formatServer({ address: 'fd00::1', port: 53 })).to.equal('[fd00::1]:53');
    expect(formatServer({ address: '10.0.0.1', port: 53 })).to.equal('10.0.0.1:53');
  });
});
