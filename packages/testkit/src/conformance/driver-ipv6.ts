/**
 * The IPv6 half of the network driver suite, for drivers that declare
 * `ipv6`: dual-stack and IPv6-only sandboxes get usable (not tentative)
 * addresses and an IPv6 default route, ignore router advertisements, and
 * reach each other and the gateway over IPv6; IPv4-only sandboxes keep IPv6
 * off (Docker 26.0.2, CVE-2024-32473). Every check makes its own host
 * namespace, as the IPv4 checks do.
 */
import { expect } from 'chai';
import type { AddressPool, Endpoint, Sandbox } from '@ctrnet/core';
import type { NetnsHandle } from '../netns.js';
import { httpGet } from '../probes.js';
import { startHttpServer } from '../servers.js';
import { endpointInput, sandboxAddresses, sandboxAddresses6, type NetworkFamilies } from './driver-fixtures.js';
import { driverEnv, type DriverEnv, type DriverEnvConfig } from './driver-env.js';
import { defaultGateways, linkInventory, readLinks, sysctlValue } from './kernel-view.js';

export interface Ipv6CheckConfig extends DriverEnvConfig {
  pool6: AddressPool;
}

async function setUp(c: Ipv6CheckConfig, families: NetworkFamilies): Promise<DriverEnv> {
  const env = await driverEnv(c, families);
  // What the driver must do itself on a real host; a fresh namespace starts with it off.
  await env.host.exec(['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
  return env;
}

async function join(c: Ipv6CheckConfig, env: DriverEnv, label: string, ipv4: string | undefined, ipv6: string | undefined): Promise<{ ns: NetnsHandle; endpoint: Endpoint; sandbox: Sandbox }> {
  const ns = await c.tn.create(label);
  const endpoint = env.driver.planEndpoint(env.network, endpointInput(env.network, ipv4, ipv6));
  const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: ns.path, kind: 'own' };
  await env.driver.join(env.ctx, env.network, endpoint, sandbox);
  return { ns, endpoint, sandbox };
}

/** The interface's global IPv6 addresses as `address/prefix`, and whether any is still tentative (DAD). */
async function globalIpv6(ns: NetnsHandle, ifname: string): Promise<{ addresses: string[]; tentative: boolean }> {
  const link = (await readLinks(ns)).find((l) => l.ifname === ifname);
  const v6 = (link?.addr_info ?? []).filter((a) => a.family === 'inet6' && a.scope === 'global');
  return { addresses: v6.map((a) => `${a.local}/${a.prefixlen}`), tentative: v6.some((a) => a.tentative || a.dadfailed) };
}

export function defineIpv6KernelChecks(c: Ipv6CheckConfig): void {
  const [ipA, ipB] = sandboxAddresses(c.pool);
  const [ip6A, ip6B] = sandboxAddresses6(c.pool6);

  it('IPv6: creates and deletes a dual-stack network idempotently, leaving the host as it was', async () => {
    const env = await setUp(c, { pool6: c.pool6 });
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
  });

  it('IPv6: joins dual-stack sandboxes with usable addresses and both default routes, router advertisements ignored; they reach each other and the gateway over IPv6', async () => {
    const env = await setUp(c, { pool6: c.pool6 });
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await join(c, env, 'sbx-a', ipA, ip6A);
    const b = await join(c, env, 'sbx-b', ipB, ip6B);
    for (const m of [a, b]) {
      const v6 = await globalIpv6(m.ns, m.endpoint.ifname);
      expect(v6.addresses, `IPv6 addresses of ${m.endpoint.ifname} in ${m.ns.name}`).to.deep.equal([`${m.endpoint.ipv6}/${m.endpoint.prefixLen6}`]);
      expect(v6.tentative, 'an address still tentative (add it without DAD: nodad)').to.equal(false);
      expect(await defaultGateways(m.ns, 6), `IPv6 default route of ${m.ns.name}`).to.deep.equal([c.pool6.gateway]);
      expect(await defaultGateways(m.ns, 4), `IPv4 default route of ${m.ns.name}`).to.deep.equal([c.pool.gateway]);
      expect(await sysctlValue(m.ns, `net.ipv6.conf.${m.endpoint.ifname}.accept_ra`), 'accept_ra').to.equal('0');
    }
    await startHttpServer(c.tn, b.ns, { port: 8080, host: ip6B, body: 'from b over IPv6' });
    expect(await httpGet(a.ns, `http://[${ip6B}]:8080/`)).to.deep.equal({ status: 200, body: 'from b over IPv6' });
    if (env.gatewayNetns) {
      await startHttpServer(c.tn, env.gatewayNetns, { port: 8081, host: c.pool6.gateway, body: 'from the IPv6 gateway' });
      expect(await httpGet(b.ns, `http://[${c.pool6.gateway}]:8081/`)).to.deep.equal({ status: 200, body: 'from the IPv6 gateway' });
    }
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    await env.driver.leave(env.ctx, env.network, b.endpoint, b.sandbox);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host)).to.deep.equal(env.hostBefore);
  });

  it('IPv6: joins an IPv6-only sandbox with no IPv4 address, reachable over IPv6', async () => {
    const env = await setUp(c, { pool6: c.pool6, ipv4: false });
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await join(c, env, 'sbx-a', undefined, ip6A);
    const b = await join(c, env, 'sbx-b', undefined, ip6B);
    const link = (await readLinks(a.ns)).find((l) => l.ifname === a.endpoint.ifname);
    expect((link?.addr_info ?? []).filter((x) => x.family === 'inet'), 'IPv4 addresses of an IPv6-only sandbox').to.deep.equal([]);
    expect(await defaultGateways(a.ns, 6)).to.deep.equal([c.pool6.gateway]);
    await startHttpServer(c.tn, b.ns, { port: 8080, host: '::' });
    expect((await httpGet(a.ns, `http://[${ip6B}]:8080/`)).status).to.equal(200);
  });

  it('IPv6: keeps IPv6 off on the interface of an IPv4-only sandbox', async () => {
    const env = await setUp(c, {});
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await join(c, env, 'sbx-a', ipA, undefined);
    expect(await sysctlValue(a.ns, `net.ipv6.conf.${a.endpoint.ifname}.disable_ipv6`), 'disable_ipv6').to.equal('1');
    expect((await globalIpv6(a.ns, a.endpoint.ifname)).addresses).to.deep.equal([]);
  });
}
