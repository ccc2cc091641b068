/**
 * `describeIpamDriver`: the contract of an IPAM driver, as a mocha suite,
 * for both families (IPv6 pools are asked for with `family: 6`; an
 * IPv4-only driver says so with `ipv6: false` and must refuse them). The
 * driver gets a real AddressBook (core's Store on a temp dir) and reads
 * host routes in a throwaway namespace whose only routes the suite controls.
 */
import { expect } from 'chai';
import { Store, canonicalIpv6, cidr6Range, cidrContains, cidrRange, cidrsOverlap, cidrWithin, intToIp, ipv6ToBigInt, type AddressPool, type IpamContext, type IpamDriver, type PoolRequest } from '@ctrnet/core';
import { useTestNamespaces, type TestNamespaces } from '../namespaces.js';
import { tempStateDir } from '../state-dir.js';
import { SUITE_TIMEOUT_MS, expectCtrnetError, hexId, hostContext, registerPlugin, requireMocha } from './harness.js';

export interface IpamDriverSuiteOptions {
  /** The plugin module's default export: it must register this driver under its name. */
  plugin: unknown;
  /**
   * Pool requests `requestPool` must refuse with INVALID_ARGUMENT. Default: a
   * malformed subnet, a gateway and an ip-range outside the subnet, and a
   * gateway without a subnet.
   */
  invalidPoolRequests?: ReadonlyArray<Omit<PoolRequest, 'networkId'>>;
  /**
   * A cluster IPAM whose pool is each host's view: the subnet, this host's
   * slice of it as `ipRange` and the slice's first address as gateway
   * (e.g. @ctrnet/ipam-etcd). Explicit ip-ranges and gateways are then
   * refused, subnets are never auto-picked, and the slice's own network and
   * broadcast addresses are never handed out.
   */
  perHostSlices?: boolean;
  /**
   * The driver hands out IPv6 pools (default true). An IPv4-only driver
   * (false) must refuse `family: 6` with INVALID_ARGUMENT and claim nothing.
   */
  ipv6?: boolean;
  /** Clear state the driver keeps outside the AddressBook (a shared store) before each test. */
  reset?: () => Promise<void>;
}

const DEFAULT_INVALID_REQUESTS: ReadonlyArray<Omit<PoolRequest, 'networkId'>> = [
  { subnet: 'not-a-subnet' },
  { subnet: '10.250.4.0/24', gateway: '10.250.5.1' },
  { subnet: '10.250.4.0/24', ipRange: '10.250.5.0/25' },
  { gateway: '10.250.4.1' },
];

/** The host routes auto-picking must avoid: addresses on a veth in the test's host namespace. */
const ROUTED_SUBNET = '10.250.0.0/24';
const ROUTED_SUBNET6 = 'fd00:250::/64';
/** Auto-pick candidates: 10.250.0.0/24 (routed) and three free /24s; fd00:250::/64 (routed) and three free /64s. */
const TEST_POOLS = [
  { base: '10.250.0.0/22', size: 24 },
  { base: 'fd00:250::/62', size: 64 },
];
/** 5 usable addresses: .2 to .6 (.0 network, .1 gateway, .7 broadcast). */
const SMALL_SUBNET = '10.250.4.0/29';

/**
 * Define the conformance suite of an IPAM driver. Call it at the top level
 * of a mocha test file; it makes namespaces, so it needs root (`*.integ.ts`).
 *
 * @param name Suite title, e.g. the package name.
 * @param factory Returns a fresh driver instance each call.
 */
export function describeIpamDriver(name: string, factory: () => IpamDriver, options: IpamDriverSuiteOptions): void {
  requireMocha('describeIpamDriver');
  const invalid = options.invalidPoolRequests ?? DEFAULT_INVALID_REQUESTS;
  const sliced = options.perHostSlices === true;
  const ipv6 = options.ipv6 !== false;
  // Sliced, a /26 is the smallest pool; its first /28 slice has 13 usable addresses.
  const small = sliced ? '10.250.4.0/26' : SMALL_SUBNET;
  /** Addresses of a pool never handed out: its range's network and broadcast when sliced, the subnet's otherwise, and the gateway. */
  const reservedOf = (pool: AddressPool): string[] => {
    const { first, last } = cidrRange(sliced ? (pool.ipRange ?? pool.subnet) : pool.subnet);
    return [intToIp(first), intToIp(last), pool.gateway];
  };
  const usableCount = (pool: AddressPool): number => {
    const range = cidrRange(pool.ipRange ?? pool.subnet);
    return range.last - range.first + 1 - reservedOf(pool).filter((ip) => cidrContains(pool.ipRange ?? pool.subnet, ip)).length;
  };

  describe(`${name}: IPAM driver conformance`, function () {
    this.timeout(SUITE_TIMEOUT_MS);
    const tn = useTestNamespaces();
    let ctx: IpamContext;
    let ipam: IpamDriver;

    beforeEach(async () => {
      await options.reset?.();
      ctx = await ipamContext(tn, name);
      ipam = factory();
    });

    it('has a name, every method, and registers under its name through the Registry', async () => {
      expect(ipam.name, 'name').to.be.a('string').and.not.equal('');
      for (const method of ['requestPool', 'releasePool', 'requestAddress', 'releaseAddress'] as const) expect(ipam[method], method).to.be.a('function');
      expect(factory()).to.not.equal(factory());
      expect((await registerPlugin(options.plugin, name)).ipamDriver(ipam.name).name).to.equal(ipam.name);
    });

    describe('requestPool', () => {
      it('settles an explicit subnet with a gateway inside it', async () => {
        const pool = await ipam.requestPool(ctx, { networkId: hexId(), subnet: '10.250.4.0/24' });
        expect(pool.subnet).to.equal('10.250.4.0/24');
        expectUsable(pool.subnet, pool.gateway, 'gateway');
      });

      if (sliced) {
        it("refuses a requested gateway or ip-range (each host's are its slice's) with INVALID_ARGUMENT", async () => {
          for (const extra of [{ ipRange: '10.250.4.128/25' }, { gateway: '10.250.4.254' }]) {
            await expectCtrnetError(`requestPool with ${JSON.stringify(extra)}`, ['INVALID_ARGUMENT'], () => ipam.requestPool(ctx, { networkId: hexId(), subnet: '10.250.4.0/24', ...extra }));
          }
        });
      } else {
        it('keeps a requested gateway and ip-range', async () => {
          const request = { subnet: '10.250.4.0/24', ipRange: '10.250.4.128/25', gateway: '10.250.4.254' };
          expect(await ipam.requestPool(ctx, { networkId: hexId(), ...request })).to.deep.equal(request);
        });
      }

      for (const bad of invalid) {
        it(`refuses ${JSON.stringify(bad)} with INVALID_ARGUMENT and claims nothing`, async () => {
          await expectCtrnetError(`requestPool ${JSON.stringify(bad)}`, ['INVALID_ARGUMENT'], () => ipam.requestPool(ctx, { networkId: hexId(), ...bad }));
          expect(ctx.addresses.poolSubnets()).to.deep.equal([]);
        });
      }

      it("refuses a subnet overlapping another network's pool with CONFLICT", async () => {
        await ipam.requestPool(ctx, { networkId: hexId(), subnet: '10.250.4.0/24' });
        await expectCtrnetError('requestPool of an overlapping subnet', ['CONFLICT'], () => ipam.requestPool(ctx, { networkId: hexId(), subnet: '10.250.4.0/25' }));
      });

      if (sliced) {
        it('needs an explicit subnet (one pool for the whole cluster): INVALID_ARGUMENT without one', async () => {
          await expectCtrnetError('requestPool without a subnet', ['INVALID_ARGUMENT'], () => ipam.requestPool(ctx, { networkId: hexId() }));
        });
      }

      if (!sliced) it('auto-picks subnets from defaultAddressPools that overlap no host route and no other pool, until none is left (EXHAUSTED)', async () => {
        const held = (await ipam.requestPool(ctx, { networkId: hexId(), subnet: '10.250.1.0/24' })).subnet;
        const picked: string[] = [];
        for (let i = 0; i < 2; i++) {
          const pool = await ipam.requestPool(ctx, { networkId: hexId() });
          expect(TEST_POOLS.some((p) => cidrWithin(pool.subnet, p.base)), `${pool.subnet} inside defaultAddressPools`).to.equal(true);
          for (const other of [ROUTED_SUBNET, held, ...picked]) expect(cidrsOverlap(pool.subnet, other), `${pool.subnet} overlaps ${other}`).to.equal(false);
          expectUsable(pool.subnet, pool.gateway, 'gateway');
          picked.push(pool.subnet);
        }
        await expectCtrnetError('requestPool with every candidate taken', ['EXHAUSTED'], () => ipam.requestPool(ctx, { networkId: hexId() }));
      });

      if (ipv6) {
        it('IPv6: settles an explicit subnet in canonical form with a gateway inside it, beside the same network\'s IPv4 pool', async () => {
          const networkId = hexId();
          await ipam.requestPool(ctx, { networkId, subnet: '10.250.4.0/24' });
          const pool = await ipam.requestPool(ctx, { networkId, family: 6, subnet: 'FD00:250:4:0::/64' });
          expect(pool.subnet).to.equal('fd00:250:4::/64');
          expectUsable6(pool.subnet, pool.gateway, 'IPv6 gateway');
          expect(ctx.addresses.poolSubnets().sort(), 'both pools held').to.deep.equal(['10.250.4.0/24', 'fd00:250:4::/64']);
          await expectCtrnetError('another network claiming an overlapping IPv6 subnet', ['CONFLICT'], () => ipam.requestPool(ctx, { networkId: hexId(), family: 6, subnet: 'fd00:250:4::/80' }));
        });

        for (const bad of [{ subnet: 'fd00:250:4::/129' }, { subnet: 'fd00:250:4::5/64' }, { subnet: '10.250.4.0/24' }, { subnet: 'fd00:250:4::/64', gateway: 'fd00:250:5::1' }, { subnet: 'fd00:250:4::/64', ipRange: 'fd00:250:5::/80' }]) {
          it(`IPv6: refuses ${JSON.stringify(bad)} with INVALID_ARGUMENT and claims nothing`, async () => {
            await expectCtrnetError(`requestPool IPv6 ${JSON.stringify(bad)}`, ['INVALID_ARGUMENT'], () => ipam.requestPool(ctx, { networkId: hexId(), family: 6, ...bad }));
            expect(ctx.addresses.poolSubnets()).to.deep.equal([]);
          });
        }

        it('IPv6: auto-picks subnets from the IPv6 pools that overlap no IPv6 host route and no other pool, until none is left (EXHAUSTED)', async () => {
          const held = (await ipam.requestPool(ctx, { networkId: hexId(), family: 6, subnet: 'fd00:250:0:1::/64' })).subnet;
          const picked: string[] = [];
          for (let i = 0; i < 2; i++) {
            const pool = await ipam.requestPool(ctx, { networkId: hexId(), family: 6 });
            expect(cidrWithin(pool.subnet, TEST_POOLS[1]!.base), `${pool.subnet} inside the IPv6 pool`).to.equal(true);
            for (const other of [ROUTED_SUBNET6, held, ...picked]) expect(cidrsOverlap(pool.subnet, other), `${pool.subnet} overlaps ${other}`).to.equal(false);
            expectUsable6(pool.subnet, pool.gateway, 'IPv6 gateway');
            picked.push(pool.subnet);
          }
          await expectCtrnetError('IPv6 requestPool with every candidate taken', ['EXHAUSTED'], () => ipam.requestPool(ctx, { networkId: hexId(), family: 6 }));
          // The IPv4 pools are untouched by IPv6 picks.
          expect(cidrWithin((await ipam.requestPool(ctx, { networkId: hexId() })).subnet, TEST_POOLS[0]!.base)).to.equal(true);
        });
      } else {
        it('IPv4 only: refuses an IPv6 pool (family 6) with INVALID_ARGUMENT and claims nothing', async () => {
          for (const request of [{ subnet: 'fd00:250:4::/64' }, {}]) {
            await expectCtrnetError(`requestPool IPv6 ${JSON.stringify(request)}`, ['INVALID_ARGUMENT'], () => ipam.requestPool(ctx, { networkId: hexId(), family: 6, ...request }));
          }
          expect(ctx.addresses.poolSubnets()).to.deep.equal([]);
        });
      }

      it('releases a pool idempotently, freeing its subnet for another network', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, subnet: '10.250.4.0/24' });
        await ipam.requestAddress(ctx, networkId, pool, hexId());
        await ipam.releasePool(ctx, networkId, pool);
        await ipam.releasePool(ctx, networkId, pool);
        expect((await ipam.requestPool(ctx, { networkId: hexId(), subnet: '10.250.4.0/24' })).subnet).to.equal('10.250.4.0/24');
      });
    });

    describe('addresses', () => {
      it('hands out every usable address once, never network, broadcast or gateway, then EXHAUSTED', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, subnet: small });
        const given: string[] = [];
        const usable = usableCount(pool);
        for (let i = 0; i < usable; i++) given.push(await ipam.requestAddress(ctx, networkId, pool, hexId()));
        for (const ip of given) expectUsable(pool.subnet, ip, 'address');
        for (const reserved of reservedOf(pool)) expect(given, 'addresses given').to.not.include(reserved);
        expect(new Set(given).size, `distinct addresses in ${JSON.stringify(given)}`).to.equal(usable);
        await expectCtrnetError(`requestAddress in a full ${small}`, ['EXHAUSTED'], () => ipam.requestAddress(ctx, networkId, pool, hexId()));
      });

      it('gives a static address exactly, never to anyone else, and refuses bad ones', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, subnet: small });
        expect(await ipam.requestAddress(ctx, networkId, pool, hexId(), '10.250.4.5')).to.equal('10.250.4.5');
        for (let i = 0; i < 4; i++) expect(await ipam.requestAddress(ctx, networkId, pool, hexId())).to.not.equal('10.250.4.5');
        await expectCtrnetError('a static address held by another owner', ['CONFLICT'], () => ipam.requestAddress(ctx, networkId, pool, hexId(), '10.250.4.5'));
        for (const wanted of ['not-an-ip', '10.250.9.9', ...reservedOf(pool).slice(0, 2)]) {
          await expectCtrnetError(`static address ${wanted}`, ['INVALID_ARGUMENT'], () => ipam.requestAddress(ctx, networkId, pool, hexId(), wanted));
        }
        await expectCtrnetError(`the gateway ${pool.gateway} as a static address`, ['INVALID_ARGUMENT', 'CONFLICT'], () => ipam.requestAddress(ctx, networkId, pool, hexId(), pool.gateway));
      });

      if (ipv6) it('IPv6: hands out distinct canonical addresses, never the subnet-router anycast address or the gateway; static ones exactly', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, family: 6, subnet: 'fd00:250:4::/64' });
        const wanted = await ipam.requestAddress(ctx, networkId, pool, hexId(), 'FD00:250:4:0::00AB');
        expect(wanted, 'a static address, canonical').to.equal('fd00:250:4::ab');
        const given: string[] = [];
        for (let i = 0; i < 4; i++) given.push(await ipam.requestAddress(ctx, networkId, pool, hexId()));
        for (const ip of given) {
          expectUsable6(pool.subnet, ip, 'IPv6 address');
          expect(canonicalIpv6(ip), `${ip} in canonical form`).to.equal(ip);
        }
        expect(new Set([...given, wanted]).size, `distinct in ${JSON.stringify(given)}`).to.equal(5);
        expect(given).to.not.include(pool.gateway);
        await expectCtrnetError('a static IPv6 address held by another owner', ['CONFLICT'], () => ipam.requestAddress(ctx, networkId, pool, hexId(), 'fd00:250:4::ab'));
        for (const bad of ['fd00:250:4::', 'fd00:250:9::9', '10.250.4.9', 'not-an-ip']) {
          await expectCtrnetError(`static IPv6 address ${bad}`, ['INVALID_ARGUMENT'], () => ipam.requestAddress(ctx, networkId, pool, hexId(), bad));
        }
        await ipam.releaseAddress(ctx, networkId, pool, wanted);
        await ipam.releaseAddress(ctx, networkId, pool, wanted);
        expect(await ipam.requestAddress(ctx, networkId, pool, hexId(), wanted), 'released, then given again').to.equal(wanted);
      });

      it(sliced ? "allocates from this host's slice only" : 'allocates from the ip-range only', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, subnet: '10.250.4.0/24', ...(sliced ? {} : { ipRange: '10.250.4.64/29' }) });
        const range = pool.ipRange ?? '10.250.4.64/29';
        for (let i = 0; i < 3; i++) expect(cidrContains(range, await ipam.requestAddress(ctx, networkId, pool, hexId()))).to.equal(true);
      });

      it('releases an address idempotently, making it available again', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, subnet: small });
        const address = await ipam.requestAddress(ctx, networkId, pool, hexId());
        await ipam.releaseAddress(ctx, networkId, pool, address);
        await ipam.releaseAddress(ctx, networkId, pool, address);
        expect(await ipam.requestAddress(ctx, networkId, pool, hexId(), address)).to.equal(address);
      });

      it('keeps its state in the AddressBook: a new instance (a new ctrnet process) sees every claim', async () => {
        const networkId = hexId();
        const pool = await ipam.requestPool(ctx, { networkId, subnet: small });
        const first = await ipam.requestAddress(ctx, networkId, pool, hexId());
        const next = factory();
        expect(await next.requestAddress(ctx, networkId, pool, hexId())).to.not.equal(first);
        await expectCtrnetError('a new instance claiming an overlapping subnet', ['CONFLICT'], () => next.requestPool(ctx, { networkId: hexId(), subnet: small }));
      });
    });
  });
}

/** An IPAM context on a fresh Store, with a host namespace that routes exactly ROUTED_SUBNET. */
async function ipamContext(tn: TestNamespaces, suite: string): Promise<IpamContext> {
  const host = await tn.createHost();
  await host.exec(['ip', 'link', 'add', 'ctt-lan0', 'type', 'veth', 'peer', 'name', 'ctt-lan1']);
  await host.exec(['ip', 'addr', 'add', `${intToIp(cidrRange(ROUTED_SUBNET).first + 1)}/24`, 'dev', 'ctt-lan0']);
  await host.exec(['ip', 'addr', 'add', 'fd00:250::1/64', 'dev', 'ctt-lan0', 'nodad']);
  await host.exec(['ip', 'link', 'set', 'ctt-lan0', 'up']);
  await host.exec(['ip', 'link', 'set', 'ctt-lan1', 'up']);
  const store = new Store(tempStateDir(tn));
  // Deferred steps run newest first: the store closes before its directory goes.
  tn.defer(() => store.close());
  return { ...hostContext(host, suite), addresses: store.addresses, defaultAddressPools: TEST_POOLS };
}

/** `ip` lies in the IPv6 `subnet` and is not its subnet-router anycast address. */
function expectUsable6(subnet: string, ip: string, what: string): void {
  expect(cidrContains(subnet, ip), `${what} ${ip} inside ${subnet}`).to.equal(true);
  expect(ipv6ToBigInt(ip), `${what} ${ip} is the subnet-router anycast address of ${subnet}`).to.not.equal(cidr6Range(subnet).first);
}

/** `ip` lies in `subnet` and is neither its network nor its broadcast address. */
function expectUsable(subnet: string, ip: string, what: string): void {
  expect(cidrContains(subnet, ip), `${what} ${ip} inside ${subnet}`).to.equal(true);
  const { first, last } = cidrRange(subnet);
  expect([intToIp(first), intToIp(last)], `${what} ${ip} is the network or broadcast address of ${subnet}`).to.not.include(ip);
}
