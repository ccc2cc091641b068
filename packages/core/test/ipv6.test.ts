import { expect } from 'chai';
import { bigIntToIpv6, canonicalIpv6, cidr6Range, cidrContains, cidrFamily, cidrWithin, cidrsOverlap, ipFamily, ipv6ToBigInt, isValidCidr6, isValidIpv6, networkOf } from '../src/index.js';

describe('net/ipv6 and net/cidr6', () => {
  describe('isValidIpv6', () => {
    for (const ip of ['::', '::1', 'fd00::1', 'FD00:0:0:0:0:0:0:1', '2001:db8::ffff:1.2.3.4', 'fe80::1', '1:2:3:4:5:6:7:8']) {
      it(`accepts ${ip}`, () => expect(isValidIpv6(ip)).to.equal(true));
    }
    for (const ip of ['', '1.2.3.4', ':::', 'fd00::1::2', 'fe80::1%eth0', 'g::1', '1:2:3:4:5:6:7:8:9', '[::1]', '::1/128']) {
      it(`refuses ${JSON.stringify(ip)}`, () => expect(isValidIpv6(ip)).to.equal(false));
    }
  });

  describe('canonical form (RFC 5952)', () => {
    for (const [input, canonical] of [
      ['::', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['FD00:0000:0000:0000:0000:0000:0000:0001', 'fd00::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fd00:1:0:0:0:0:0:0', 'fd00:1::'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
      ['::ffff:10.0.0.1', '::ffff:a00:1'],
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ] as const) {
      it(`${input} -> ${canonical}`, () => expect(canonicalIpv6(input)).to.equal(canonical));
    }
    it('round-trips numbers', () => {
      expect(ipv6ToBigInt('::1')).to.equal(1n);
      expect(ipv6ToBigInt('1::')).to.equal(1n << 112n);
      expect(bigIntToIpv6((1n << 128n) - 1n)).to.equal('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    });
  });

  describe('families', () => {
    it('tells addresses and prefixes apart', () => {
      expect([ipFamily('10.0.0.1'), ipFamily('fd00::1'), ipFamily('x')]).to.deep.equal([4, 6, undefined]);
      expect([cidrFamily('10.0.0.0/8'), cidrFamily('fd00::/8'), cidrFamily('fd00::/129'), cidrFamily('10.0.0.0')]).to.deep.equal([4, 6, undefined, undefined]);
    });
  });

  describe('prefixes', () => {
    it('validates', () => {
      for (const ok of ['::/0', 'fd00::/8', 'fd00:1::/64', 'fd00::5/64', '::1/128']) expect(isValidCidr6(ok), ok).to.equal(true);
      for (const bad of ['fd00::', 'fd00::/', 'fd00::/129', 'fd00::/-1', 'fd00::/64/64', '10.0.0.0/8', 'fd00::/0064', 'fe80::1%eth0/64']) expect(isValidCidr6(bad), bad).to.equal(false);
    });
    it('ranges, networks, containment and overlap', () => {
      expect(cidr6Range('fd00:1::5/64')).to.deep.equal({ first: ipv6ToBigInt('fd00:1::'), last: ipv6ToBigInt('fd00:1::ffff:ffff:ffff:ffff'), prefix: 64 });
      expect(cidr6Range('::/0').last).to.equal((1n << 128n) - 1n);
      expect(networkOf('FD00:1::5/64')).to.equal('fd00:1::/64');
      expect(networkOf('fd00:1:2:3::/48')).to.equal('fd00:1:2::/48');
      expect(cidrContains('fd00:1::/64', 'fd00:1::ffff')).to.equal(true);
      expect(cidrContains('fd00:1::/64', 'fd00:2::1')).to.equal(false);
      expect(cidrWithin('fd00:1::/80', 'fd00:1::/64')).to.equal(true);
      expect(cidrWithin('fd00::/48', 'fd00::/64')).to.equal(false);
      expect(cidrsOverlap('fd00::/48', 'fd00:0:0:5::/64')).to.equal(true);
      expect(cidrsOverlap('fd00:1::/64', 'fd00:2::/64')).to.equal(false);
    });
    it('never mixes families', () => {
      expect(cidrContains('10.0.0.0/8', 'fd00::1')).to.equal(false);
      expect(cidrContains('::/0', '10.0.0.1')).to.equal(false);
      expect(cidrsOverlap('0.0.0.0/0', '::/0')).to.equal(false);
      expect(cidrWithin('10.0.0.0/8', '::/0')).to.equal(false);
    });
  });
});
