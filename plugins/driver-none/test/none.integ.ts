import { expect } from 'chai';
import createDebug from 'debug';
import type { Endpoint, Network, Sandbox } from '@ctrnet/core';
import { useTestNamespaces } from '@ctrnet/testkit';
import { NoneDriver } from '../src/index.js';
import { HostNamespaceExecutor } from '@ctrnet/testkit';

const log = createDebug('ctrnet:test');

describe('none driver on a real kernel', function () {
  this.timeout(30_000);
  const tn = useTestNamespaces();
  const driver = new NoneDriver();

  it('leaves the sandbox with loopback only, up', async () => {
    const host = await tn.createHost();
    const ns = await tn.create('none');
    // The testkit brings loopback up; start from a namespace as the kernel makes it.
    await ns.exec(['ip', 'link', 'set', 'lo', 'down']);
    const ctx = { exec: new HostNamespaceExecutor(host.path), log };
    const network = { id: 'ab'.repeat(32), name: 'none', driver: 'none', options: {}, driverData: {} } as unknown as Network;
    const endpoint = driver.planEndpoint(network, { id: 'cd'.repeat(32), containerId: 'ef'.repeat(32), networkId: network.id, ifname: 'eth0', defaultRoute: true } as Endpoint);
    const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: ns.path, kind: 'own' };

    await driver.join(ctx, network, endpoint, sandbox);

    const links = JSON.parse((await ns.exec(['ip', '-j', 'link', 'show'])).stdout) as Array<{ ifname: string; flags: string[] }>;
    expect(links.map((l) => l.ifname)).to.deep.equal(['lo']);
    expect(links[0]!.flags).to.include('UP');
    const hostLinks = JSON.parse((await host.exec(['ip', '-j', 'link', 'show'])).stdout) as Array<{ ifname: string }>;
    expect(hostLinks.map((l) => l.ifname)).to.deep.equal(['lo']);
    await driver.leave();
  });
});
