/**
 * `describeNetworkDriver`: the contract every network driver must meet,
 * as a mocha suite a plugin author runs against a factory. Pure checks
 * (traits, registration, planning) run first; kernel checks run in
 * throwaway namespaces, with the driver "on the host" inside one of them.
 */
import { expect } from 'chai';
import { cidr6Range, cidrRange, type AddressPool, type NetworkDriver } from '@ctrnet/core';
import { useTestNamespaces, type TestNamespaces } from '../namespaces.js';
import { defineIpv6KernelChecks } from './driver-ipv6.js';
import { defineKernelChecks } from './driver-kernel.js';
import { USER_MAC, endpointInput, networkRequest, plannedNetwork, sandboxAddresses, sandboxAddresses6 } from './driver-fixtures.js';
import { SUITE_TIMEOUT_MS, expectCtrnetError, hexId, registerPlugin, requireMocha } from './harness.js';
import { driverTraitProblems } from './traits.js';
import type { NetnsHandle } from '../netns.js';

/** What `prepareHost` gets: the throwaway host namespace the driver works in. */
export interface DriverHostEnv {
  tn: TestNamespaces;
  host: NetnsHandle;
  /** The test network's pool (for drivers that use IPAM). */
  pool: AddressPool;
}

/** What `prepareHost` may return. */
export interface DriverHostSetup {
  /** `-o` options merged over `networkOptions` for the kernel checks (e.g. a parent interface made here). */
  options?: Record<string, string>;
  /**
   * The namespace holding the pool's gateway address, where the suite starts
   * a server that joined sandboxes must reach. Default: the host (bridge-like
   * drivers put the gateway on a host interface in `createNetwork`). `false`
   * when nothing answers at the gateway by design; the check is then skipped.
   */
  gatewayNetns?: NetnsHandle | false;
}

export interface NetworkDriverSuiteOptions {
  /** The plugin module's default export: it must register this driver under its name. */
  plugin: unknown;
  /** Default exports of the plugins `plugin` depends on (its `dependencies`), registered before it. */
  dependencies?: readonly unknown[];
  /** `-o` options of a valid network (default none). */
  networkOptions?: Record<string, string>;
  /**
   * Complete `-o` option sets `planNetwork` must refuse with INVALID_ARGUMENT
   * (bad values, unknown keys, missing required keys). Default: the valid
   * options plus one unknown key. Give `[]` only if the driver accepts anything.
   */
  invalidOptions?: ReadonlyArray<Record<string, string>>;
  /** Pool of the test network for IPAM drivers. Default 10.250.5.0/24, gateway 10.250.5.1. */
  pool?: AddressPool;
  /** IPv6 pool of the test network, for drivers that declare `ipv6`. Default fd00:250:5::/64, gateway fd00:250:5::1. */
  pool6?: AddressPool;
  /**
   * Prepare the host namespace before each kernel check (create a parent
   * interface, a peer holding the gateway, ...). Runs after the namespace
   * exists and before the suite snapshots it; everything made inside it is
   * removed with it. Sandboxes get the two lowest addresses of the pool after
   * the gateway; keep anything you add off those.
   */
  prepareHost?(env: DriverHostEnv): Promise<DriverHostSetup | void>;
}

const DEFAULT_DRIVER_POOL: AddressPool = { subnet: '10.250.5.0/24', gateway: '10.250.5.1' };
const DEFAULT_DRIVER_POOL6: AddressPool = { subnet: 'fd00:250:5::/64', gateway: 'fd00:250:5::1' };

/**
 * Define the conformance suite of a network driver. Call it at the top
 * level of a mocha test file (kernel checks need root: name it `*.integ.ts`).
 *
 * @param name Suite title, e.g. the package name.
 * @param factory Returns a fresh driver instance each call.
 */
export function describeNetworkDriver(name: string, factory: () => NetworkDriver, options: NetworkDriverSuiteOptions): void {
  requireMocha('describeNetworkDriver');
  const pool = options.pool ?? DEFAULT_DRIVER_POOL;
  const pool6 = options.pool6 ?? DEFAULT_DRIVER_POOL6;
  const networkOptions = options.networkOptions ?? {};
  const invalidOptions = options.invalidOptions ?? [{ ...networkOptions, 'ctt-unknown-option': 'x' }];
  // The traits decide which kernel checks apply, so they are read once, up front.
  const sample = factory();

  describe(`${name}: network driver conformance`, function () {
    this.timeout(SUITE_TIMEOUT_MS);

    describe('traits and registration', () => {
      it('declares a valid name and consistent traits', () => {
        expect(driverTraitProblems(factory())).to.deep.equal([]);
      });

      it('gets a fresh instance from the factory on every call', () => {
        expect(factory()).to.not.equal(factory());
      });

      it('registers under its name through definePlugin and the Registry', async () => {
        const driver = factory();
        const registered = (await registerPlugin(options.plugin, name, options.dependencies)).networkDriver(driver.name);
        expect(traits(registered)).to.deep.equal(traits(driver));
      });
    });

    describe('planNetwork and planEndpoint', () => {
      it('plans a valid network as plain, serialisable strings, the same way every time', () => {
        const driver = factory();
        const id = hexId();
        const plan = driver.planNetwork(networkRequest(driver, pool, networkOptions), id);
        for (const [field, record] of Object.entries(plan)) {
          for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
            expect(value, `plan.${field}.${key}`).to.be.a('string');
          }
        }
        expect(JSON.parse(JSON.stringify(plan))).to.deep.equal(plan);
        expect(driver.planNetwork(networkRequest(driver, pool, networkOptions), id)).to.deep.equal(plan);
      });

      for (const bad of invalidOptions) {
        it(`refuses -o ${JSON.stringify(bad)} with INVALID_ARGUMENT`, async () => {
          const driver = factory();
          await expectCtrnetError(`planNetwork with options ${JSON.stringify(bad)}`, ['INVALID_ARGUMENT'], () => driver.planNetwork(networkRequest(driver, pool, bad), hexId()));
        });
      }

      it('plans an endpoint without touching its identity, the same way every time', () => {
        const driver = factory();
        const network = plannedNetwork(driver, pool, networkOptions);
        const input = endpointInput(network, driver.usesIpam ? sandboxAddresses(pool)[0] : undefined);
        const planned = driver.planEndpoint(network, { ...input });
        for (const key of ['id', 'containerId', 'networkId', 'ifname', 'ipv4', 'defaultRoute'] as const) expect(planned[key], key).to.equal(input[key]);
        expect(driver.planEndpoint(network, { ...input })).to.deep.equal(planned);
      });

      if (sample.usesIpam) {
        it('fills prefix length, gateway and a unicast MAC (what inspect shows), and keeps a user MAC', () => {
          const driver = factory();
          const network = plannedNetwork(driver, pool, networkOptions);
          const planned = driver.planEndpoint(network, endpointInput(network, sandboxAddresses(pool)[0]));
          expect(planned.prefixLen, 'prefixLen').to.equal(cidrRange(pool.subnet).prefix);
          expect(planned.gateway, 'gateway').to.equal(pool.gateway);
          expect(planned.mac, 'mac').to.match(/^[0-9a-f][02468ace](:[0-9a-f]{2}){5}$/);
          if (!driver.refusedRunOptions?.includes('mac-address')) {
            const withMac = driver.planEndpoint(network, { ...endpointInput(network, sandboxAddresses(pool)[0]), mac: USER_MAC });
            expect(withMac.mac, 'a --mac-address, lower-cased').to.equal(USER_MAC.toLowerCase());
          }
        });
      }

      if (sample.ipv6 && sample.usesIpam) {
        it('IPv6: plans dual-stack and IPv6-only endpoints: prefix lengths and gateways of each family, a unicast MAC', () => {
          const driver = factory();
          const dual = plannedNetwork(driver, pool, networkOptions, { pool6 });
          const planned = driver.planEndpoint(dual, endpointInput(dual, sandboxAddresses(pool)[0], sandboxAddresses6(pool6)[0]));
          expect(planned, 'dual-stack endpoint').to.include({ prefixLen: cidrRange(pool.subnet).prefix, gateway: pool.gateway, prefixLen6: cidr6Range(pool6.subnet).prefix, gateway6: pool6.gateway });
          const v6only = plannedNetwork(driver, pool, networkOptions, { pool6, ipv4: false });
          const input = endpointInput(v6only, undefined, sandboxAddresses6(pool6)[0]);
          const only = driver.planEndpoint(v6only, input);
          expect(only, 'IPv6-only endpoint').to.include({ ipv6: input.ipv6, prefixLen6: cidr6Range(pool6.subnet).prefix, gateway6: pool6.gateway });
          expect(only.mac, 'mac').to.match(/^[0-9a-f][02468ace](:[0-9a-f]{2}){5}$/);
          expect(driver.planEndpoint(v6only, { ...input }), 'the same way every time').to.deep.equal(only);
        });

        it('IPv6: refuses an IPv6 address outside the IPv6 subnet with INVALID_ARGUMENT', async () => {
          const driver = factory();
          const dual = plannedNetwork(driver, pool, networkOptions, { pool6 });
          await expectCtrnetError('planEndpoint with an IPv6 address outside the subnet', ['INVALID_ARGUMENT'], () =>
            driver.planEndpoint(dual, endpointInput(dual, sandboxAddresses(pool)[0], 'fd00:250:99::2')),
          );
        });
      }
    });

    describe('on a real kernel', () => {
      const tn = useTestNamespaces();
      defineKernelChecks({ tn, factory, sample, pool, networkOptions, prepareHost: options.prepareHost, name });
      if (sample.ipv6 && sample.sandbox === 'own' && sample.usesIpam) {
        defineIpv6KernelChecks({ tn, factory, pool, pool6, networkOptions, prepareHost: options.prepareHost, name });
      }
    });
  });
}

function traits(driver: NetworkDriver): Record<string, unknown> {
  const { name, sandbox, usesIpam, ipv6, ports, userDefined, refusedRunOptions } = driver;
  return { name, sandbox, usesIpam, ipv6, ports, userDefined, refusedRunOptions };
}
