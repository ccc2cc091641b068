/**
 * What only the host driver does. The contract it shares with every driver
 * (registration, planning, leaving the host namespace as it was through
 * create, join, leave and delete) is the conformance suite's, run in
 * conformance.integ.ts.
 */
import { expect } from 'chai';
import { CtrnetError, type NetworkRequest } from '@ctrnet/core';
import { HostDriver } from '../src/index.js';

describe('HostDriver', () => {
  const driver = new HostDriver();

  it('has the host traits and refuses what Docker refuses with host networking', () => {
    expect(driver).to.include({ name: 'host', sandbox: 'host', usesIpam: false, ports: 'discard', userDefined: false });
    expect(driver.refusedRunOptions).to.deep.equal(['link', 'mac-address', 'ip', 'ip6', 'default-gateway']);
  });

  it('plans the empty network and names itself when it refuses options', () => {
    const request: NetworkRequest = { name: 'host', driver: 'host', internal: false, ipv6: false, options: {} };
    expect(driver.planNetwork(request)).to.deep.equal({ options: {}, driverData: {} });
    expect(() => driver.planNetwork({ ...request, subnet: '10.250.0.0/24' })).to.throw(CtrnetError, 'the host driver');
  });
});
