import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, RecordingExecutor, type Endpoint, type Network, type NetworkDriver, type NetworkRequest, type Sandbox } from '@ctrnet/core';
import plugin, { NoneDriver } from '../src/index.js';

const log = createDebug('ctrnet:test');
const driver: NetworkDriver = new NoneDriver();

const request: NetworkRequest = { name: 'none', driver: 'none', internal: false, ipv6: false, options: {} };
const network: Network = {
  id: 'ab'.repeat(32),
  name: 'none',
  driver: 'none',
  ipamDriver: 'default',
  internal: false,
  ipv6: false,
  options: {},
  driverData: {},
  created: '2025-01-01T00:00:00.000Z',
};
const endpoint: Endpoint = { id: 'cd'.repeat(32), containerId: 'ef'.repeat(32), networkId: network.id, ifname: 'eth0', defaultRoute: true };
const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: '/run/netns/ctrnet-efefefefefef', kind: 'own' };

describe('NoneDriver', () => {
  it('is what the plugin registers', async () => {
    const registered: unknown[] = [];
    await plugin.register({ registerNetworkDriver: (d: unknown) => registered.push(d) } as never);
    expect(plugin).to.include({ name: '@ctrnet/driver-none', version: '0.1.0', coreVersion: '^0.1.0' });
    expect(registered).to.have.length(1).and.to.satisfy((r: unknown[]) => r[0] instanceof NoneDriver);
  });

  it('has the none traits', () => {
    expect(driver).to.include({ name: 'none', sandbox: 'own', usesIpam: false, ports: 'discard', userDefined: false });
    expect(driver.refusedRunOptions).to.deep.equal(['mac-address', 'ip', 'default-gateway']);
  });

  describe('planNetwork', () => {
    it('plans empty options and driver data', () => {
      expect(driver.planNetwork(request, network.id)).to.deep.equal({ options: {}, driverData: {} });
    });

    it('refuses any option, naming it', () => {
      expect(() => driver.planNetwork({ ...request, options: { mtu: '1400' } }, network.id))
        .to.throw(CtrnetError, '"mtu"')
        .with.property('code', 'INVALID_ARGUMENT');
    });

    it('refuses an address pool', () => {
      for (const pool of [{ subnet: '10.250.0.0/24' }, { ipRange: '10.250.0.0/25' }, { gateway: '10.250.0.1' }]) {
        expect(() => driver.planNetwork({ ...request, ...pool }, network.id))
          .to.throw(CtrnetError, /--subnet/)
          .with.property('code', 'INVALID_ARGUMENT');
      }
    });
  });

  it('returns the endpoint unchanged', () => {
    expect(driver.planEndpoint(network, endpoint)).to.deep.equal(endpoint);
  });

  it('touches nothing on create, delete and leave', async () => {
    const exec = new RecordingExecutor();
    await driver.createNetwork({ exec, log }, network);
    await driver.deleteNetwork({ exec, log }, network);
    await driver.leave({ exec, log }, network, endpoint, sandbox);
    expect(exec.calls).to.deep.equal([]);
  });

  it('brings loopback up inside the sandbox on join', async () => {
    const exec = new RecordingExecutor();
    await driver.join({ exec, log }, network, endpoint, sandbox);
    expect(exec.calls).to.deep.equal([{ kind: 'ip', commands: [['link', 'set', 'lo', 'up']], netns: sandbox.netnsPath, ignoreMissing: false }]);
  });

  it('refuses a sandbox without a namespace path rather than touch the host', async () => {
    const exec = new RecordingExecutor();
    const err = await driver.join({ exec, log }, network, endpoint, { ...sandbox, netnsPath: '' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INTERNAL');
    expect(exec.calls).to.deep.equal([]);
  });
});
