/**
 * The driver suite's checks of the optional parts of the contract: a
 * handoff join (the engine moves and addresses the interface, as Docker
 * does with a remote driver's veth) for drivers whose `handoff` trait is
 * true, and `check` (CNI's CHECK) for drivers that have it.
 */
import { expect } from 'chai';
import type { AddressPool, Endpoint, NetworkDriver, Sandbox } from '@ctrnet/core';
import { httpGet } from '../probes.js';
import { startHttpServer } from '../servers.js';
import type { TestNamespaces } from '../namespaces.js';
import type { DriverEnv } from './driver-env.js';
import { endpointInput, sandboxAddresses } from './driver-fixtures.js';
import { linkInventory, readLinks } from './kernel-view.js';

export interface OptionalCheckConfig {
  tn: TestNamespaces;
  sample: NetworkDriver;
  pool: AddressPool;
  setUp(): Promise<DriverEnv>;
}

/** Interface name of a handed-over interface in the host namespace, before the "engine" moves it. */
const HANDOFF_NAME = 'ctt-handoff0';

export function defineOptionalChecks(c: OptionalCheckConfig): void {
  const [ipA] = sandboxAddresses(c.pool);
  if (c.sample.handoff) {
    it('handoff: leaves the sandbox end in the host namespace, down and unaddressed, for the engine to move; leave removes it wherever it is', async () => {
      const env = await c.setUp();
      await env.driver.createNetwork(env.ctx, env.network);
      const ns = await c.tn.create('handoff');
      const before = await linkInventory(ns);
      const endpoint: Endpoint = env.driver.planEndpoint(env.network, { ...endpointInput(env.network, ipA), ifname: HANDOFF_NAME, defaultRoute: false });
      const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: '', kind: 'external', handoff: true };
      await env.driver.join(env.ctx, env.network, endpoint, sandbox);
      const handed = (await readLinks(env.host)).find((l) => l.ifname === HANDOFF_NAME);
      expect(handed, `${HANDOFF_NAME} in host netns ${env.host.name}`).to.not.equal(undefined);
      expect(handed!.address, `MAC of ${HANDOFF_NAME}`).to.equal(endpoint.mac);
      expect(handed!.flags, `flags of ${HANDOFF_NAME}`).to.not.include('UP');
      expect((handed!.addr_info ?? []).filter((a) => a.family === 'inet'), `IPv4 addresses of ${HANDOFF_NAME}`).to.deep.equal([]);
      // What Docker does after Join: move, rename, address, route.
      await env.host.exec(['ip', 'link', 'set', HANDOFF_NAME, 'netns', ns.path]);
      await ns.exec(['ip', 'link', 'set', HANDOFF_NAME, 'name', 'eth0']);
      await ns.exec(['ip', 'addr', 'add', `${ipA}/${endpoint.prefixLen}`, 'dev', 'eth0']);
      await ns.exec(['ip', 'link', 'set', 'eth0', 'up']);
      await ns.exec(['ip', 'route', 'add', 'default', 'via', c.pool.gateway]);
      if (env.gatewayNetns) {
        await startHttpServer(c.tn, env.gatewayNetns, { port: 8082, host: c.pool.gateway, body: 'handed over' });
        expect(await httpGet(ns, `http://${c.pool.gateway}:8082/`)).to.deep.equal({ status: 200, body: 'handed over' });
      }
      await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
      await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
      expect(await linkInventory(ns), `interfaces of sandbox ${ns.name} after leave`).to.deep.equal(before);
      await env.driver.deleteNetwork(env.ctx, env.network);
      expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
    });

    it('handoff: leave removes an interface the engine never moved (it failed before Join)', async () => {
      const env = await c.setUp();
      await env.driver.createNetwork(env.ctx, env.network);
      const endpoint = env.driver.planEndpoint(env.network, { ...endpointInput(env.network, ipA), ifname: HANDOFF_NAME, defaultRoute: false });
      const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: '', kind: 'external', handoff: true };
      await env.driver.join(env.ctx, env.network, endpoint, sandbox);
      await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
      await env.driver.deleteNetwork(env.ctx, env.network);
      expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
    });
  }

  if (typeof c.sample.check === 'function') {
    it('check: reports nothing right after join, then the address removed by hand, then the interface gone after leave', async () => {
      const env = await c.setUp();
      await env.driver.createNetwork(env.ctx, env.network);
      const ns = await c.tn.create('check');
      const endpoint = env.driver.planEndpoint(env.network, endpointInput(env.network, ipA));
      const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: ns.path, kind: 'own' };
      await env.driver.join(env.ctx, env.network, endpoint, sandbox);
      expect(await env.driver.check!(env.ctx, env.network, endpoint, sandbox), 'problems right after join').to.deep.equal([]);
      await ns.exec(['ip', 'addr', 'flush', 'dev', endpoint.ifname]);
      const afterFlush = await env.driver.check!(env.ctx, env.network, endpoint, sandbox);
      expect(afterFlush.join('\n'), 'problems after the address was removed').to.include(ipA);
      await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
      expect((await env.driver.check!(env.ctx, env.network, endpoint, sandbox)).length, 'problems after leave').to.be.greaterThan(0);
      await env.driver.deleteNetwork(env.ctx, env.network);
    });
  }
}
