import { intToIp, ipToInt } from '@ctrnet/core';
import { expect } from 'chai';
import type { AddressesInUse } from '@ctrnet/core';
import { cursorAfterRelease, lowestFreeAddress as pick } from '../src/address-picker.js';

/** A lookup over `used`, counting the addresses looked up. */
function inUse(used: Iterable<string>, cursor?: string): AddressesInUse & { lookedUp: number } {
  const set = new Set(used);
  const view = {
    cursor,
    lookedUp: 0,
    usedAmong: (addresses: readonly string[]) => {
      view.lookedUp += addresses.length;
      return new Set(addresses.filter((a) => set.has(a)));
    },
  };
  return view;
}

/** The address the picker takes, without a cursor. */
function lowestFreeAddress(pool: Parameters<typeof pick>[0], used: Iterable<string>): string | undefined {
  return pick(pool, inUse(used))?.address;
}

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

  it('starts at the cursor and leaves it just above the address taken', () => {
    const pool = { subnet: '172.20.0.0/16', gateway: '172.20.0.1' };
    const used = Array.from({ length: 1000 }, (_, i) => intToIp(ipToInt('172.20.0.2') + i));
    const view = inUse(used, '172.20.3.234');
    expect(pick(pool, view)).to.deep.equal({ address: '172.20.3.234', cursor: '172.20.3.235' });
    expect(view.lookedUp, 'one batch, not a walk over the 1000 in use').to.be.at.most(64);
  });

  it('walks from the bottom when there is no cursor (or one it cannot read), and crosses a used run in batches', () => {
    const pool = { subnet: '172.20.0.0/16', gateway: '172.20.0.1' };
    const used = Array.from({ length: 1000 }, (_, i) => intToIp(ipToInt('172.20.0.2') + i));
    for (const cursor of [undefined, 'not an address', '10.0.0.1']) {
      const view = inUse(used, cursor);
      expect(pick(pool, view)?.address).to.equal('172.20.3.234');
      expect(view.lookedUp).to.be.at.most(1000 + 64);
    }
  });

  it('leaves a full pool\'s cursor at the end of its range', () => {
    const pool = { subnet: '10.0.0.0/29', gateway: '10.0.0.1' };
    expect(pick(pool, inUse(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']))).to.deep.equal({ address: '10.0.0.6', cursor: '10.0.0.7' });
    const full = inUse(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'], '10.0.0.7');
    expect(pick(pool, full)).to.equal(undefined);
    expect(full.lookedUp).to.equal(0);
  });

  it('finds a free address in a /16 with 1000 used quickly', () => {
    const pool = { subnet: '172.20.0.0/16', gateway: '172.20.0.1' };
    const used = new Set(Array.from({ length: 1000 }, (_, i) => intToIp(ipToInt('172.20.0.2') + i)));
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(lowestFreeAddress(pool, used)).to.equal('172.20.3.234');
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


describe('cursorAfterRelease', () => {
  const pool = { subnet: '10.0.0.0/24', gateway: '10.0.0.1' };
  const pool6 = { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' };

  it('lowers the cursor to an address given back below it, and keeps it otherwise', () => {
    expect(cursorAfterRelease(pool, '10.0.0.5', '10.0.0.9')).to.equal('10.0.0.5');
    expect(cursorAfterRelease(pool, '10.0.0.12', '10.0.0.9')).to.equal('10.0.0.9');
    expect(cursorAfterRelease(pool6, 'fd00:1::5', 'fd00:1::a')).to.equal('fd00:1::5');
    expect(cursorAfterRelease(pool6, 'fd00:1::1:0', 'fd00:1::a')).to.equal('fd00:1::a');
  });

  it('keeps no cursor when there was none or it cannot be read (the next pick walks from the bottom)', () => {
    expect(cursorAfterRelease(pool, '10.0.0.5', undefined)).to.equal(undefined);
    expect(cursorAfterRelease(pool, '10.0.0.5', 'garbage')).to.equal(undefined);
  });
});
