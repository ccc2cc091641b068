import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, RecordingExecutor, type Endpoint, type Network, type NetworkDriver, type NetworkRequest, type Sandbox } from '@ctrnet/core';
import plugin, { ContainerDriver } from '../src/index.js';

const log = createDebug('ctrnet:test');
const driver: NetworkDriver = new ContainerDriver();

const request: NetworkRequest = { name: 'container', driver: 'container', internal: false, ipv6: false, options: {} };
const network: Network = {
  id: 'ab'.repeat(32),
  name: 'container',
  driver: 'container',
  ipamDriver: 'default',
  internal: false,
  ipv6: false,
  options: {},
  driverData: {},
  created: '2025-01-01T00:00:00.000Z',
};
const endpoint: Endpoint = { id: 'cd'.repeat(32), containerId: 'ef'.repeat(32), networkId: network.id, ifname: 'eth0', defaultRoute: true };
const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: '/run/netns/ctrnet-efefefefefef', kind: 'shared' };

describe('ContainerDriver', () => {
  it('is what the plugin registers', async () => {
    const registered: unknown[] = [];
    await plugin.register({ registerNetworkDriver: (d: unknown) => registered.push(d) } as never);
    expect(plugin).to.include({ name: '@ctrnet/driver-container', version: '0.1.0', coreVersion: '^0.1.0' });
    expect(registered).to.have.length(1).and.to.satisfy((r: unknown[]) => r[0] instanceof ContainerDriver);
  });

  it('has the container traits', () => {
    expect(driver).to.include({ name: 'container', sandbox: 'shared', usesIpam: false, ports: 'refuse', userDefined: false });
    expect(driver.refusedRunOptions).to.deep.equal([
      'publish',
      'publish-all',
      'expose',
      'hostname',
      'dns',
      'dns-search',
      'dns-option',
      'add-host',
      'link',
      'mac-address',
      'ip',
      'default-gateway',
    ]);
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

  it('touches nothing on join', async () => {
    const exec = new RecordingExecutor();
    await driver.join({ exec, log }, network, endpoint, sandbox);
    expect(exec.calls).to.deep.equal([]);
  });
});
