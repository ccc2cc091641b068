import { expect } from 'chai';
import { cidrContains, cidrRange, cidrWithin, cidrsOverlap, intToIp, ipToInt, isValidCidr, isValidIpv4, networkOf } from '../src/index.js';

describe('net/cidr', () => {
  describe('isValidIpv4', () => {
    for (const ip of ['0.0.0.0', '10.0.0.1', '172.17.0.1', '192.168.255.255', '255.255.255.255', '1.2.3.4']) {
      it(`accepts ${ip}`, () => expect(isValidIpv4(ip)).to.equal(true));
    }
    for (const ip of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.04', '1.2.3.-1', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '::1', '1.2.3.4/32', '0x7f.0.0.1']) {
      it(`refuses ${JSON.stringify(ip)}`, () => expect(isValidIpv4(ip)).to.equal(false));
    }
  });

  describe('isValidCidr', () => {
    for (const cidr of ['0.0.0.0/0', '10.0.0.0/8', '172.17.0.0/16', '192.168.1.0/24', '10.1.2.3/32', '172.17.0.0/12']) {
      it(`accepts ${cidr}`, () => expect(isValidCidr(cidr)).to.equal(true));
    }
    for (const cidr of ['', '10.0.0.0', '10.0.0.0/', '/8', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0/8', '256.0.0.0/8', 'fd00::/8', '10.0.0.0/a', '10.0.0.0/100']) {
      it(`refuses ${JSON.stringify(cidr)}`, () => expect(isValidCidr(cidr)).to.equal(false));
    }
    it('tolerates host bits; networkOf tells them apart', () => {
      expect(isValidCidr('10.0.0.1/8')).to.equal(true);
      expect(networkOf('10.0.0.1/8')).not.to.equal('10.0.0.1/8');
    });
  });

  describe('ipToInt / intToIp', () => {
    for (const [ip, n] of [
      ['0.0.0.0', 0],
      ['0.0.0.1', 1],
      ['0.0.1.0', 256],
      ['10.0.0.1', 167772161],
      ['127.0.0.1', 2130706433],
      ['128.0.0.0', 2147483648],
      ['172.17.0.1', 2886795265],
      ['255.255.255.255', 4294967295],
    ] as const) {
      it(`${ip} <-> ${n}`, () => {
        expect(ipToInt(ip)).to.equal(n);
        expect(intToIp(n)).to.equal(ip);
      });
    }
    it('gives non-negative numbers above 2^31 (no sign wrap)', () => {
      expect(ipToInt('200.0.0.0')).to.be.greaterThan(0);
    });
  });

  describe('cidrRange', () => {
    it('gives first, last and prefix', () => {
      expect(cidrRange('172.17.0.0/16')).to.deep.equal({ first: ipToInt('172.17.0.0'), last: ipToInt('172.17.255.255'), prefix: 16 });
    });
    it('clears host bits', () => {
      expect(cidrRange('10.1.2.3/8')).to.deep.equal({ first: ipToInt('10.0.0.0'), last: ipToInt('10.255.255.255'), prefix: 8 });
    });
    it('handles /0 and /32', () => {
      expect(cidrRange('0.0.0.0/0')).to.deep.equal({ first: 0, last: 4294967295, prefix: 0 });
      expect(cidrRange('192.168.1.7/32')).to.deep.equal({ first: ipToInt('192.168.1.7'), last: ipToInt('192.168.1.7'), prefix: 32 });
    });
    it('handles the top of the address space', () => {
      expect(cidrRange('255.255.255.0/24')).to.deep.equal({ first: ipToInt('255.255.255.0'), last: 4294967295, prefix: 24 });
    });
  });

  describe('networkOf', () => {
    for (const [cidr, net] of [
      ['10.1.2.3/8', '10.0.0.0/8'],
      ['172.17.0.0/12', '172.16.0.0/12'],
      ['192.168.1.129/25', '192.168.1.128/25'],
      ['192.168.1.0/24', '192.168.1.0/24'],
      ['1.2.3.4/32', '1.2.3.4/32'],
      ['1.2.3.4/0', '0.0.0.0/0'],
    ] as const) {
      it(`${cidr} -> ${net}`, () => expect(networkOf(cidr)).to.equal(net));
    }
  });

  describe('cidrContains', () => {
    it('includes network and broadcast addresses', () => {
      expect(cidrContains('172.17.0.0/16', '172.17.0.0')).to.equal(true);
      expect(cidrContains('172.17.0.0/16', '172.17.255.255')).to.equal(true);
      expect(cidrContains('172.17.0.0/16', '172.17.3.4')).to.equal(true);
    });
    it('excludes addresses just outside', () => {
      expect(cidrContains('172.17.0.0/16', '172.16.255.255')).to.equal(false);
      expect(cidrContains('172.17.0.0/16', '172.18.0.0')).to.equal(false);
    });
    it('a /32 holds one address; /0 holds all', () => {
      expect(cidrContains('10.0.0.1/32', '10.0.0.1')).to.equal(true);
      expect(cidrContains('10.0.0.1/32', '10.0.0.2')).to.equal(false);
      expect(cidrContains('0.0.0.0/0', '255.255.255.255')).to.equal(true);
    });
  });

  describe('cidrWithin', () => {
    it('is true for a subnet of the outer range, and for the range itself', () => {
      expect(cidrWithin('172.17.1.0/24', '172.17.0.0/16')).to.equal(true);
      expect(cidrWithin('172.17.0.0/16', '172.17.0.0/16')).to.equal(true);
    });
    it('is false for a larger or a disjoint range', () => {
      expect(cidrWithin('172.16.0.0/12', '172.17.0.0/16')).to.equal(false);
      expect(cidrWithin('10.0.0.0/24', '172.17.0.0/16')).to.equal(false);
    });
    it('compares aligned blocks (host bits of either side are ignored)', () => {
      expect(cidrWithin('172.17.255.7/23', '172.17.9.9/16')).to.equal(true);
      expect(cidrWithin('172.18.0.0/24', '172.17.0.0/16')).to.equal(false);
    });
  });

  describe('cidrsOverlap', () => {
    for (const [a, b, overlap] of [
      ['172.17.0.0/16', '172.17.5.0/24', true],
      ['172.17.5.0/24', '172.17.0.0/16', true],
      ['172.17.0.0/16', '172.17.0.0/16', true],
      ['172.16.0.0/12', '172.31.255.0/24', true],
      ['172.17.0.0/16', '172.18.0.0/16', false],
      ['10.0.0.0/24', '10.0.1.0/24', false],
      ['10.0.0.0/31', '10.0.0.1/32', true],
      ['0.0.0.0/0', '192.168.0.0/16', true],
    ] as const) {
      it(`${a} ${overlap ? 'overlaps' : 'does not overlap'} ${b}`, () => expect(cidrsOverlap(a, b)).to.equal(overlap));
    }
  });
});
