import type { AddressBook } from '@ctrnet/core';
import { ExecError, RecordingExecutor } from '@ctrnet/core';
import { expect } from 'chai';
import { DefaultIpam } from '../src/default-ipam.js';
import { ctrnetError, type Fixture, makeFixture, networkId } from './helpers.js';

const ipam = new DefaultIpam();
const NET = networkId(1);
const OTHER = networkId(2);

describe('DefaultIpam', () => {
  let f: Fixture;
  afterEach(() => f?.cleanup());

  describe('requestPool with an explicit subnet', () => {
    beforeEach(() => {
      f = makeFixture();
    });

    it('settles the defaults and records the pool without asking the kernel', async () => {
      expect(await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.50.0.0/16' })).to.deep.equal({ subnet: '10.50.0.0/16', gateway: '10.50.0.1' });
      expect(f.ctx.addresses.poolSubnets()).to.deep.equal(['10.50.0.0/16']);
      expect(f.exec.calls).to.deep.equal([]);
    });

    it('keeps ip-range and gateway', async () => {
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.50.0.0/16', ipRange: '10.50.8.0/24', gateway: '10.50.255.254' });
      expect(pool).to.deep.equal({ subnet: '10.50.0.0/16', ipRange: '10.50.8.0/24', gateway: '10.50.255.254' });
    });

    it('refuses a subnet overlapping another network, naming both', async () => {
      await ipam.requestPool(f.ctx, { networkId: OTHER, subnet: '10.50.0.0/16' });
      for (const subnet of ['10.50.3.0/24', '10.0.0.0/8', '10.50.0.0/16']) {
        const err = await ctrnetError(() => ipam.requestPool(f.ctx, { networkId: NET, subnet }));
        expect(err.code).to.equal('CONFLICT');
        expect(err.message).to.contain(`subnet ${subnet} overlaps network pool 10.50.0.0/16`);
      }
      expect(f.ctx.addresses.poolSubnets()).to.deep.equal(['10.50.0.0/16']);
    });

    it('allows a subnet next to another network', async () => {
      await ipam.requestPool(f.ctx, { networkId: OTHER, subnet: '10.50.0.0/24' });
      await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.50.1.0/24' });
      expect(f.ctx.addresses.poolSubnets()).to.have.members(['10.50.0.0/24', '10.50.1.0/24']);
    });

    it('allows a subnet overlapping a host route, like Docker', async () => {
      expect((await ipam.requestPool(f.ctx, { networkId: NET, subnet: '192.0.2.0/25' })).subnet).to.equal('192.0.2.0/25');
    });

    it('is idempotent for the same network', async () => {
      await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.50.0.0/16' });
      await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.50.0.0/16' });
      expect(f.ctx.addresses.poolSubnets()).to.deep.equal(['10.50.0.0/16']);
    });

    it('validates before claiming anything', async () => {
      const err = await ctrnetError(() => ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.50.0.0/16', gateway: '10.51.0.1' }));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(f.ctx.addresses.poolSubnets()).to.deep.equal([]);
    });

    it('refuses ip-range or gateway without a subnet', async () => {
      for (const request of [{ ipRange: '10.50.0.0/24' }, { gateway: '10.50.0.1' }]) {
        const err = await ctrnetError(() => ipam.requestPool(f.ctx, { networkId: NET, ...request }));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain('needs an explicit subnet');
      }
    });
  });

  describe('requestPool without a subnet', () => {
    it('picks the first default pool and its .1 gateway', async () => {
      f = makeFixture();
      expect(await ipam.requestPool(f.ctx, { networkId: NET })).to.deep.equal({ subnet: '172.17.0.0/16', gateway: '172.17.0.1' });
      expect(f.exec.calls.map((c) => c.kind === 'run' && c.argv.join(' '))).to.deep.equal(['ip -j -4 route show table all']);
    });

    it('skips candidates overlapping a host route, in any table but local', async () => {
      f = makeFixture({
        routes: [
          { dst: 'default' },
          { dst: '172.17.0.0/16', dev: 'docker0' },
          { dst: '172.18.4.4' },
          { dst: '172.19.128.0/17', table: '100' },
          { type: 'local', dst: '172.20.0.1', table: 'local' },
        ],
      });
      expect((await ipam.requestPool(f.ctx, { networkId: NET })).subnet).to.equal('172.20.0.0/16');
    });

    it('skips candidates overlapping another network, and successive networks get successive pools', async () => {
      f = makeFixture();
      await ipam.requestPool(f.ctx, { networkId: networkId(9), subnet: '172.17.0.0/16' });
      await ipam.requestPool(f.ctx, { networkId: networkId(8), subnet: '172.18.200.0/24' });
      expect((await ipam.requestPool(f.ctx, { networkId: networkId(3) })).subnet).to.equal('172.19.0.0/16');
      expect((await ipam.requestPool(f.ctx, { networkId: networkId(4) })).subnet).to.equal('172.20.0.0/16');
    });

    it('reuses a released pool', async () => {
      f = makeFixture();
      const pool = await ipam.requestPool(f.ctx, { networkId: NET });
      await ipam.releasePool(f.ctx, NET, pool);
      await ipam.releasePool(f.ctx, NET, pool);
      expect((await ipam.requestPool(f.ctx, { networkId: OTHER })).subnet).to.equal(pool.subnet);
    });

    it('moves on when another process claims the candidate first', async () => {
      f = makeFixture();
      const book = f.ctx.addresses;
      let raced = false;
      // Between our snapshot of the pools and our claim, a rival takes 172.17.0.0/16.
      const racing: AddressBook = Object.assign(Object.create(book) as AddressBook, {
        claimPool: (poolId: string, subnet: string, overlaps: (a: string, b: string) => boolean) => {
          if (!raced) {
            raced = true;
            book.claimPool(networkId(7), subnet, overlaps);
          }
          return book.claimPool(poolId, subnet, overlaps);
        },
      });
      const pool = await ipam.requestPool({ ...f.ctx, addresses: racing }, { networkId: NET });
      expect(pool.subnet).to.equal('172.18.0.0/16');
      expect(book.poolSubnets()).to.have.members(['172.17.0.0/16', '172.18.0.0/16']);
    });

    it('reports exhaustion with what to do next', async () => {
      f = makeFixture({ pools: [{ base: '10.60.0.0/23', size: 24 }], routes: [{ dst: '10.60.1.0/24' }] });
      expect((await ipam.requestPool(f.ctx, { networkId: NET })).subnet).to.equal('10.60.0.0/24');
      const err = await ctrnetError(() => ipam.requestPool(f.ctx, { networkId: OTHER }));
      expect(err.code).to.equal('EXHAUSTED');
      expect(err.message).to.contain('10.60.0.0/23 in /24 blocks').and.contain('--subnet').and.contain('defaultAddressPools');
    });

    it('propagates a failing ip command and claims nothing', async () => {
      f = makeFixture();
      const exec = new RecordingExecutor();
      exec.run = async (argv) => Promise.reject(new ExecError(argv, 255, 'Error: either "to" is duplicate, or "-j" is a garbage.'));
      const err = await ctrnetError(() => ipam.requestPool({ ...f.ctx, exec }, { networkId: NET }));
      expect(err.code).to.equal('EXEC_FAILED');
      expect(err.message).to.contain('ip -j -4 route show table all');
      expect(f.ctx.addresses.poolSubnets()).to.deep.equal([]);
    });
  });

  describe('requestAddress', () => {
    const pool = { subnet: '10.70.0.0/24', gateway: '10.70.0.1' };
    beforeEach(async () => {
      f = makeFixture();
      await ipam.requestPool(f.ctx, { networkId: NET, subnet: pool.subnet });
    });

    it('hands out the lowest free addresses after the gateway', async () => {
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('10.70.0.2');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c2')).to.equal('10.70.0.3');
      expect(f.ctx.addresses.ownerOf(NET, '10.70.0.3')).to.equal('c2');
    });

    it('reuses a released address, and release is idempotent', async () => {
      await ipam.requestAddress(f.ctx, NET, pool, 'c1');
      await ipam.requestAddress(f.ctx, NET, pool, 'c2');
      await ipam.releaseAddress(f.ctx, NET, pool, '10.70.0.2');
      await ipam.releaseAddress(f.ctx, NET, pool, '10.70.0.2');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c3')).to.equal('10.70.0.2');
    });

    it('still hands out the lowest free address whoever gave one back (the cursor never hides one)', async () => {
      for (const owner of ['c1', 'c2', 'c3', 'c4']) await ipam.requestAddress(f.ctx, NET, pool, owner);
      await ipam.releaseAddress(f.ctx, NET, pool, '10.70.0.4');
      await ipam.releaseAddress(f.ctx, NET, pool, '10.70.0.3');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c5')).to.equal('10.70.0.3');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c6')).to.equal('10.70.0.4');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c7')).to.equal('10.70.0.6');
      // gc and rollbacks release in the address book directly, without IPAM's cursor rule.
      f.store.addresses.releaseEverywhere('c1');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c8')).to.equal('10.70.0.2');
      f.store.addresses.releaseOwner(NET, 'c6');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c9')).to.equal('10.70.0.4');
    });

    it('costs the same with 1000 addresses in use as with 10', async () => {
      const big = { subnet: '10.71.0.0/16', gateway: '10.71.0.1' };
      await ipam.requestPool(f.ctx, { networkId: 'big', subnet: big.subnet });
      const time = async (n: number) => {
        const started = performance.now();
        for (let i = 0; i < n; i++) await ipam.requestAddress(f.ctx, 'big', big, `o${i}`);
        return performance.now() - started;
      };
      await time(990);
      const last10 = await time(10);
      const looked: number[] = [];
      const book = f.ctx.addresses;
      const counting = { ...f.ctx, addresses: { ...book, allocate: (p: string, o: string, fam: 4 | 6, pick: Parameters<typeof book.allocate>[3]) => book.allocate(p, o, fam, (v) => pick({ cursor: v.cursor, usedAmong: (a) => (looked.push(a.length), v.usedAmong(a)) })) } };
      expect(await ipam.requestAddress(counting, 'big', big, 'probe')).to.equal('10.71.3.234');
      expect(looked, 'one lookup batch, not a walk over the 1000 in use').to.have.length(1);
      expect(last10 / 10, 'ms per allocation at 1000 in use').to.be.below(5);
    });

    it('gives a static address and skips it afterwards', async () => {
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'static', '10.70.0.2')).to.equal('10.70.0.2');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('10.70.0.3');
    });

    it('refuses a static address held by another owner, naming the owner', async () => {
      await ipam.requestAddress(f.ctx, NET, pool, 'web', '10.70.0.9');
      const err = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'db', '10.70.0.9'));
      expect(err.code).to.equal('CONFLICT');
      expect(err.message).to.contain('10.70.0.9').and.contain('in use by web').and.contain('--ip');
      expect(f.ctx.addresses.ownerOf(NET, '10.70.0.9')).to.equal('web');
    });

    it('gives a static address back to the owner that already holds it', async () => {
      await ipam.requestAddress(f.ctx, NET, pool, 'web', '10.70.0.9');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'web', '10.70.0.9')).to.equal('10.70.0.9');
    });

    for (const [wanted, why] of [
      ['10.71.0.5', 'not inside'],
      ['10.70.0.1', 'gateway'],
      ['10.70.0.255', 'broadcast'],
      ['10.70.0.0', 'network address'],
      ['bogus', 'invalid IP address'],
    ] as const) {
      it(`refuses the static address ${wanted} (${why}) without claiming it`, async () => {
        const err = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c1', wanted));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain(wanted).and.contain(why);
        expect(f.ctx.addresses.ownerOf(NET, wanted)).to.equal(undefined);
      });
    }

    it('keeps pools of different networks apart', async () => {
      const other = { subnet: '10.80.0.0/24', gateway: '10.80.0.1' };
      await ipam.requestPool(f.ctx, { networkId: OTHER, subnet: other.subnet });
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('10.70.0.2');
      expect(await ipam.requestAddress(f.ctx, OTHER, other, 'c1')).to.equal('10.80.0.2');
    });

    it('forgets every address when the pool is released', async () => {
      await ipam.requestAddress(f.ctx, NET, pool, 'c1');
      await ipam.releasePool(f.ctx, NET, pool);
      expect(f.ctx.addresses.ownerOf(NET, '10.70.0.2')).to.equal(undefined);
      expect(f.ctx.addresses.poolSubnets()).to.deep.equal([]);
    });
  });

  describe('requestAddress with an ip-range', () => {
    const pool = { subnet: '10.90.0.0/16', ipRange: '10.90.4.0/30', gateway: '10.90.0.1' };
    beforeEach(async () => {
      f = makeFixture();
      await ipam.requestPool(f.ctx, { networkId: NET, subnet: pool.subnet, ipRange: pool.ipRange });
    });

    it('allocates inside the range only, then reports exhaustion', async () => {
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await ipam.requestAddress(f.ctx, NET, pool, `c${i}`));
      expect(got).to.deep.equal(['10.90.4.0', '10.90.4.1', '10.90.4.2', '10.90.4.3']);
      const err = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c9'));
      expect(err.code).to.equal('EXHAUSTED');
      expect(err.message).to.contain('ip-range 10.90.4.0/30');
    });

    it('accepts a static address outside the range but inside the subnet (Docker does)', async () => {
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'static', '10.90.9.9')).to.equal('10.90.9.9');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('10.90.4.0');
    });

    it('still refuses a static address outside the subnet', async () => {
      const err = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'static', '10.91.4.1'));
      expect(err.code).to.equal('INVALID_ARGUMENT');
    });
  });

  describe('IPv6', () => {
    const ULA = { base: 'fd12:3456:789a::/48', size: 64 };
    beforeEach(() => {
      f = makeFixture({ pools: [{ base: '172.17.0.0/12', size: 16 }, ULA], routes: [{ dst: 'fd12:3456:789a::/64', dev: 'wg0' }] });
    });

    it('settles an explicit subnet canonically, gateway ::1 of the subnet', async () => {
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, family: 6, subnet: 'FD00:0:0:1::/64' });
      expect(pool).to.deep.equal({ subnet: 'fd00:0:0:1::/64', gateway: 'fd00:0:0:1::1' });
      expect(f.store.addresses.poolSubnets()).to.deep.equal(['fd00:0:0:1::/64']);
    });

    it('keeps a network\'s IPv4 and IPv6 pools side by side under one id', async () => {
      await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.99.0.0/24' });
      await ipam.requestPool(f.ctx, { networkId: NET, family: 6, subnet: 'fd00:1::/64' });
      expect(f.store.addresses.poolSubnets().sort()).to.deep.equal(['10.99.0.0/24', 'fd00:1::/64']);
      const err = await ctrnetError(() => ipam.requestPool(f.ctx, { networkId: OTHER, family: 6, subnet: 'fd00:1::/80' }));
      expect(err.code).to.equal('CONFLICT');
    });

    it('auto-picks /64s of the IPv6 pool, skipping IPv6 host routes and held pools', async () => {
      expect((await ipam.requestPool(f.ctx, { networkId: NET, family: 6 })).subnet).to.equal('fd12:3456:789a:1::/64');
      expect((await ipam.requestPool(f.ctx, { networkId: OTHER, family: 6 })).subnet).to.equal('fd12:3456:789a:2::/64');
      expect(f.exec.calls.map((c) => (c.kind === 'run' ? c.argv.join(' ') : ''))).to.include('ip -j -6 route show table all');
    });

    it('reports IPv6 exhaustion naming only the IPv6 pools', async () => {
      f.cleanup();
      f = makeFixture({ pools: [{ base: '172.17.0.0/12', size: 16 }, { base: 'fd00:5::/120', size: 120 }] });
      await ipam.requestPool(f.ctx, { networkId: NET, family: 6 });
      const err = await ctrnetError(() => ipam.requestPool(f.ctx, { networkId: OTHER, family: 6 }));
      expect(err.code).to.equal('EXHAUSTED');
      expect(err.message).to.contain('no free IPv6 subnet left in defaultAddressPools (fd00:5::/120 in /120 blocks)');
    });

    it('hands out ::2, ::3 ... never the anycast address or the gateway; static addresses canonical', async () => {
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, family: 6, subnet: 'fd00:1::/64' });
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('fd00:1::2');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c2', 'FD00:1:0:0::00AB')).to.equal('fd00:1::ab');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c3')).to.equal('fd00:1::3');
      for (const [wanted, pattern] of [
        ['fd00:1::', /subnet-router anycast/],
        ['fd00:1::1', /is the gateway/],
        ['fd00:2::5', /not inside the network's subnet/],
        ['10.0.0.1', /expected an IPv6 address/],
      ] as const) {
        const err = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c9', wanted));
        expect(err.code, wanted).to.equal('INVALID_ARGUMENT');
        expect(err.message, wanted).to.match(pattern);
      }
      const taken = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c9', 'fd00:1::ab'));
      expect(taken.code).to.equal('CONFLICT');
    });

    it('fills a /126: two containers after the gateway', async () => {
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, family: 6, subnet: 'fd00:1::/126' });
      expect([await ipam.requestAddress(f.ctx, NET, pool, 'a'), await ipam.requestAddress(f.ctx, NET, pool, 'b')]).to.deep.equal(['fd00:1::2', 'fd00:1::3']);
      expect((await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c'))).code).to.equal('EXHAUSTED');
    });
  });

  describe('exhaustion', () => {
    it('a /30 holds exactly one container after its gateway', async () => {
      f = makeFixture();
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.99.0.0/30' });
      expect(pool.gateway).to.equal('10.99.0.1');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('10.99.0.2');
      const err = await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c2'));
      expect(err.code).to.equal('EXHAUSTED');
      expect(err.message).to.equal(`no free address in network ${NET.slice(0, 12)} (subnet 10.99.0.0/30); remove a container or use a bigger --subnet`);
    });

    it('a /30 with its gateway at .2 still holds one container, at .1', async () => {
      f = makeFixture();
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.99.0.0/30', gateway: '10.99.0.2' });
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'c1')).to.equal('10.99.0.1');
      expect((await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'c2'))).code).to.equal('EXHAUSTED');
    });

    it('a /24 holds 253 containers', async () => {
      f = makeFixture();
      const pool = await ipam.requestPool(f.ctx, { networkId: NET, subnet: '10.98.0.0/24' });
      const got = new Set<string>();
      for (let i = 0; i < 253; i++) got.add(await ipam.requestAddress(f.ctx, NET, pool, `c${i}`));
      expect(got.size).to.equal(253);
      expect(got.has('10.98.0.254')).to.equal(true);
      expect((await ctrnetError(() => ipam.requestAddress(f.ctx, NET, pool, 'extra'))).code).to.equal('EXHAUSTED');
      await ipam.releaseAddress(f.ctx, NET, pool, '10.98.0.77');
      expect(await ipam.requestAddress(f.ctx, NET, pool, 'late')).to.equal('10.98.0.77');
    });
  });
});
