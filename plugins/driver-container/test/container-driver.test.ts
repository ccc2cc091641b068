/**
 * What only the container driver does. The contract it shares with every
 * driver (registration, planning, leaving the owner's namespace and the host
 * as they were through create, join, leave and delete) is the conformance
 * suite's, run in conformance.integ.ts.
 */
import { expect } from 'chai';
import { CtrnetError, RUN_OPTION_NAMES, type NetworkRequest } from '@ctrnet/core';
import { ContainerDriver } from '../src/index.js';

describe('ContainerDriver', () => {
  const driver = new ContainerDriver();

  it('has the container traits and refuses every run option: they belong to the namespace owner', () => {
    expect(driver).to.include({ name: 'container', sandbox: 'shared', usesIpam: false, ports: 'refuse', userDefined: false });
    expect(driver.refusedRunOptions).to.have.members([...RUN_OPTION_NAMES]);
  });

  it('plans the empty network and names itself when it refuses options', () => {
    const request: NetworkRequest = { name: 'container', driver: 'container', internal: false, ipv6: false, options: {} };
    expect(driver.planNetwork(request)).to.deep.equal({ options: {}, driverData: {} });
    expect(() => driver.planNetwork({ ...request, options: { mtu: '1400' } })).to.throw(CtrnetError, 'the container driver');
  });
});
