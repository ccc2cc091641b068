import { intToIp, ipToInt } from '@ctrnet/core';
import { expect } from 'chai';
import { lowestFreeAddress } from '../src/address-picker.js';

describe('lowestFreeAddress', () => {
  it('starts after the network address and the gateway', () => {
    expect(lowestFreeAddress({ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }, new Set())).to.equal('10.0.0.2');
  });

  it('skips a gateway in the middle and fills the gap below it first', () => {
    const pool = { subnet: '10.0.0.0/29', gateway: '10.0.0.3' };
    expect(lowestFreeAddress(pool, new Set())).to.equal('10.0.0.1');
    expect(lowestFreeAddress(pool, new Set(['10.0.0.1', '10.0.0.2']))).to.equal('10.0.0.4');
  });

  it('takes the lowest free address, not the one after the highest used', () => {
    const pool = { subnet: '10.0.0.0/24', gateway: '10.0.0.1' };
    expect(lowestFreeAddress(pool, new Set(['10.0.0.2', '10.0.0.4']))).to.equal('10.0.0.3');
  });

  it('allocates from the ip-range only', () => {
    const pool = { subnet: '10.0.0.0/16', ipRange: '10.0.5.0/30', gateway: '10.0.0.1' };
    // The range's first address is not the subnet's network address, so it is usable.
    expect(lowestFreeAddress(pool, new Set())).to.equal('10.0.5.0');
    expect(lowestFreeAddress(pool, new Set(['10.0.5.0', '10.0.5.1', '10.0.5.2']))).to.equal('10.0.5.3');
    expect(lowestFreeAddress(pool, new Set(['10.0.5.0', '10.0.5.1', '10.0.5.2', '10.0.5.3']))).to.equal(undefined);
  });

  it('never returns the broadcast address', () => {
    const pool = { subnet: '10.0.0.0/30', gateway: '10.0.0.1' };
    expect(lowestFreeAddress(pool, new Set())).to.equal('10.0.0.2');
    expect(lowestFreeAddress(pool, new Set(['10.0.0.2']))).to.equal(undefined);
  });

  it('finds a free address in a /16 with 1000 used quickly', () => {
    const pool = { subnet: '172.20.0.0/16', gateway: '172.20.0.1' };
    const used = new Set(Array.from({ length: 1000 }, (_, i) => intToIp(ipToInt('172.20.0.2') + i)));
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(lowestFreeAddress(pool, used)).to.equal('172.20.3.234');
    expect(performance.now() - started).to.be.below(500);
  });

  it('reports a full /22 as undefined', () => {
    const pool = { subnet: '172.20.0.0/22', gateway: '172.20.0.1' };
    const used = new Set(Array.from({ length: 1021 }, (_, i) => intToIp(ipToInt('172.20.0.2') + i)));
    expect(lowestFreeAddress(pool, used)).to.equal(undefined);
  });

  it('walks an IPv6 /64 from ::2, skipping the anycast address and the gateway, without building it', () => {
    const pool = { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' };
    expect(lowestFreeAddress(pool, new Set())).to.equal('fd00:1::2');
    expect(lowestFreeAddress(pool, new Set(['fd00:1::2', 'fd00:1::3']))).to.equal('fd00:1::4');
    expect(lowestFreeAddress({ ...pool, ipRange: 'fd00:1::ff00/120' }, new Set())).to.equal('fd00:1::ff00');
    expect(lowestFreeAddress({ subnet: 'fd00:1::/127', gateway: 'fd00:1::1' }, new Set())).to.equal(undefined);
  });
});

