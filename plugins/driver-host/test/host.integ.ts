import { expect } from 'chai';
import createDebug from 'debug';
import type { Endpoint, Network, NetworkDriver, Sandbox } from '@ctrnet/core';
import { useTestNamespaces, type NetnsHandle } from '@ctrnet/testkit';
import { HostDriver } from '../src/index.js';
import { HostNamespaceExecutor } from '@ctrnet/testkit';

const log = createDebug('ctrnet:test');

/** Everything join could have changed: links, addresses, routes. */
async function snapshot(ns: NetnsHandle): Promise<string[]> {
  const outputs = await Promise.all([['ip', '-j', 'addr', 'show'], ['ip', '-j', 'route', 'show', 'table', 'all']].map((argv) => ns.exec(argv)));
  return outputs.map((o) => o.stdout);
}

describe('host driver on a real kernel', function () {
  this.timeout(30_000);
  const tn = useTestNamespaces();
  const driver: NetworkDriver = new HostDriver();

  it('changes nothing in the namespace the container uses', async () => {
    const host = await tn.createHost();
    const target = host;
    await target.exec(['ip', 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']);
    await target.exec(['ip', 'addr', 'add', '10.250.9.1/24', 'dev', 'probe0']);
    const ctx = { exec: new HostNamespaceExecutor(host.path), log };
    const network = { id: 'ab'.repeat(32), name: 'host', driver: 'host', options: {}, driverData: {} } as unknown as Network;
    const endpoint = driver.planEndpoint(network, { id: 'cd'.repeat(32), containerId: 'ef'.repeat(32), networkId: network.id, ifname: 'eth0', defaultRoute: true } as Endpoint);
    const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: target.path, kind: 'host' };
    const before = await snapshot(target);
    const hostBefore = await snapshot(host);

    await driver.createNetwork(ctx, network);
    await driver.join(ctx, network, endpoint, sandbox);
    await driver.leave(ctx, network, endpoint, sandbox);
    await driver.deleteNetwork(ctx, network);

    expect(await snapshot(target)).to.deep.equal(before);
    expect(await snapshot(host)).to.deep.equal(hostBefore);
  });
});
