/**
 * What only the none driver does: loopback up in the container's own
 * namespace. The contract it shares with every driver (registration,
 * planning, join and leave leaving the host as it was) is the conformance
 * suite's, run in conformance.integ.ts.
 */
import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, RecordingExecutor, type Endpoint, type Network, type NetworkRequest, type Sandbox } from '@ctrnet/core';
import { NoneDriver } from '../src/index.js';

const log = createDebug('ctrnet:test');

describe('NoneDriver', () => {
  const driver = new NoneDriver();
  const network = { id: 'ab'.repeat(32), name: 'none', driver: 'none', options: {}, driverData: {} } as unknown as Network;
  const endpoint: Endpoint = { id: 'cd'.repeat(32), containerId: 'ef'.repeat(32), networkId: network.id, ifname: 'eth0', defaultRoute: true };
  const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: '/run/netns/ctrnet-efefefefefef', kind: 'own' };

  it('has the none traits and refuses what Docker refuses with --net none', () => {
    expect(driver).to.include({ name: 'none', sandbox: 'own', usesIpam: false, ports: 'discard', userDefined: false });
    expect(driver.refusedRunOptions).to.deep.equal(['mac-address', 'ip', 'ip6', 'default-gateway']);
  });

  it('plans the empty network and names itself when it refuses options', () => {
    const request: NetworkRequest = { name: 'none', driver: 'none', internal: false, ipv6: false, options: {} };
    expect(driver.planNetwork(request)).to.deep.equal({ options: {}, driverData: {} });
    expect(() => driver.planNetwork({ ...request, gateway: '10.250.0.1' })).to.throw(CtrnetError, 'the none driver');
  });

  it('brings loopback up inside the sandbox on join, and nothing else', async () => {
    const exec = new RecordingExecutor();
    await driver.join({ exec, log }, network, driver.planEndpoint(network, endpoint), sandbox);
    expect(exec.calls).to.deep.equal([{ kind: 'ip', commands: [['link', 'set', 'lo', 'up']], netns: sandbox.netnsPath, ignoreMissing: false }]);
  });

  it('refuses a sandbox without a namespace path rather than touch the host', async () => {
    const exec = new RecordingExecutor();
    const err = await driver.join({ exec, log }, network, endpoint, { ...sandbox, netnsPath: '' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INTERNAL');
    expect(exec.calls).to.deep.equal([]);
  });
});
