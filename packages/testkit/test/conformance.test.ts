import { expect } from 'chai';
import type { NetworkDriver } from '@ctrnet/core';
import { driverTraitProblems } from '../src/index.js';
import { networkRequest, sandboxAddresses } from '../src/conformance/driver-fixtures.js';

/** A driver with consistent traits and every method; tests break one thing at a time. */
function driver(overrides: Partial<Record<keyof NetworkDriver, unknown>> = {}): NetworkDriver {
  const noop = () => undefined;
  return {
    name: 'macvlan',
    sandbox: 'own',
    usesIpam: true,
    ports: 'discard',
    userDefined: true,
    planNetwork: noop,
    createNetwork: noop,
    deleteNetwork: noop,
    planEndpoint: noop,
    join: noop,
    leave: noop,
    ...overrides,
  } as unknown as NetworkDriver;
}

describe('conformance kit (no kernel)', () => {
  describe('driverTraitProblems', () => {
    it('finds nothing wrong with consistent traits', () => {
      expect(driverTraitProblems(driver())).to.deep.equal([]);
      expect(driverTraitProblems(driver({ sandbox: 'shared', usesIpam: false, ports: 'refuse', refusedRunOptions: ['publish', 'ip'] }))).to.deep.equal([]);
    });

    it('refuses names users could not type after -d or --net', () => {
      for (const name of ['', 'my driver', 'container:x', '-dash', 42]) {
        expect(driverTraitProblems(driver({ name })), JSON.stringify(name)).to.have.length(1).and.match(/^name /);
      }
    });

    it('refuses values outside the closed lists', () => {
      expect(driverTraitProblems(driver({ sandbox: 'private' }))[0]).to.match(/^sandbox "private" must be one of own, host, shared/);
      expect(driverTraitProblems(driver({ ports: 'forward' }))[0]).to.match(/^ports "forward" must be one of/);
      expect(driverTraitProblems(driver({ usesIpam: 'yes' }))[0]).to.match(/^usesIpam "yes" must be a boolean/);
      expect(driverTraitProblems(driver({ refusedRunOptions: ['ip', 'volume'] }))).to.deep.equal([
        'refusedRunOptions has unknown names ["volume"]; valid: publish, publish-all, expose, hostname, dns, dns-search, dns-option, add-host, link, mac-address, ip, ip6, default-gateway',
      ]);
      expect(driverTraitProblems(driver({ ipv6: 'yes' } as never))[0]).to.match(/^ipv6 "yes" must be a boolean when given/);
    });

    it('refuses traits that contradict each other', () => {
      expect(driverTraitProblems(driver({ sandbox: 'host', ports: 'discard' }))).to.have.length(1).and.match(/usesIpam is true but sandbox is "host"/);
      expect(driverTraitProblems(driver({ usesIpam: false, ports: 'publish' }))).to.have.length(1).and.match(/ports is 'publish' but usesIpam is false/);
      const shared = driverTraitProblems(driver({ sandbox: 'shared', usesIpam: false, ports: 'publish' }));
      expect(shared.some((p) => /sandbox is 'shared' but ports is 'publish'/.test(p))).to.equal(true);
      expect(driverTraitProblems(driver({ ipv6: true, usesIpam: false, ports: 'discard' }))).to.deep.equal(['ipv6 is true but usesIpam is false; a network gets its IPv6 addresses from IPAM']);
    });

    it('names missing methods', () => {
      expect(driverTraitProblems(driver({ leave: undefined }))).to.deep.equal(['method leave is missing']);
    });
  });

  describe('sandboxAddresses', () => {
    it('gives the two lowest addresses after network address and gateway', () => {
      expect(sandboxAddresses({ subnet: '10.250.5.0/24', gateway: '10.250.5.1' })).to.deep.equal(['10.250.5.2', '10.250.5.3']);
      expect(sandboxAddresses({ subnet: '10.250.5.0/24', gateway: '10.250.5.2' })).to.deep.equal(['10.250.5.1', '10.250.5.3']);
    });

    it('stays inside the ip-range and refuses a pool without room', () => {
      expect(sandboxAddresses({ subnet: '10.250.5.0/24', ipRange: '10.250.5.128/25', gateway: '10.250.5.1' })).to.deep.equal(['10.250.5.128', '10.250.5.129']);
      expect(() => sandboxAddresses({ subnet: '10.250.5.0/30', gateway: '10.250.5.1' })).to.throw(/no room for two sandboxes/);
    });
  });

  describe('networkRequest', () => {
    it('carries the pool only for drivers that use IPAM, as core does', () => {
      const pool = { subnet: '10.250.5.0/24', gateway: '10.250.5.1' };
      expect(networkRequest(driver(), pool, { parent: 'eth0' })).to.deep.equal({
        name: 'ctt-conformance',
        driver: 'macvlan',
        internal: false,
        ipv6: false,
        options: { parent: 'eth0' },
        subnet: '10.250.5.0/24',
        gateway: '10.250.5.1',
      });
      expect(networkRequest(driver({ name: 'none', usesIpam: false }), pool, {})).to.not.have.any.keys('subnet', 'gateway', 'ipRange');
    });
  });
});
