/**
 * The kernel half of the network driver suite. Which checks apply follows
 * from the driver's sandbox trait: an `own` sandbox with IPAM must get a
 * working interface; `host` and `shared` drivers must change nothing.
 * Every check creates its own host namespace, so checks never share state.
 */
import { expect } from 'chai';
import type { Endpoint, NetworkDriver, Sandbox } from '@ctrnet/core';
import { canConnect, httpGet } from '../probes.js';
import { startHttpServer } from '../servers.js';
import { execIn, type NetnsHandle } from '../netns.js';
import { USER_MAC, endpointInput, sandboxAddresses } from './driver-fixtures.js';
import { defineOptionalChecks } from './handoff-checks.js';
import { driverEnv, type DriverEnv, type DriverEnvConfig } from './driver-env.js';
import { hexId } from './harness.js';
import { defaultGateways, linkInventory, namespaceSnapshot, readLinks } from './kernel-view.js';

export interface KernelCheckConfig extends DriverEnvConfig {
  sample: NetworkDriver;
}

/** A sandbox that joined (or was planned to join) the network. */
interface Member {
  ns: NetnsHandle;
  endpoint: Endpoint;
  sandbox: Sandbox;
  /** The sandbox's interfaces before join. */
  before: string[];
}

export function defineKernelChecks(c: KernelCheckConfig): void {
  if (c.sample.sandbox === 'own' && c.sample.usesIpam) interfaceChecks(c);
  else if (c.sample.sandbox === 'own') ownSandboxChecks(c);
  else if (c.sample.sandbox === 'host') hostModeChecks(c);
  else if (c.sample.sandbox === 'shared') sharedModeChecks(c);
  // Any other value already fails the traits check; there is nothing sound to run.
}

/** A new sandbox namespace and its planned endpoint; joined unless `join` is false. */
async function member(c: KernelCheckConfig, env: DriverEnv, label: string, fields: Partial<Endpoint>, join = true): Promise<Member> {
  const ns = await c.tn.create(label);
  const endpoint = env.driver.planEndpoint(env.network, { ...endpointInput(env.network), ...fields });
  const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: ns.path, kind: 'own' };
  const before = await linkInventory(ns);
  if (join) await env.driver.join(env.ctx, env.network, endpoint, sandbox);
  return { ns, endpoint, sandbox, before };
}

/** Drivers that give an own sandbox an addressed interface (bridge, macvlan, ...). */
function interfaceChecks(c: KernelCheckConfig): void {
  const [ipA, ipB] = sandboxAddresses(c.pool);
  const macFor = (driver: NetworkDriver) => (driver.refusedRunOptions?.includes('mac-address') ? {} : { mac: USER_MAC });

  it('creates and deletes the network idempotently, leaving the host as it was', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
  });

  it('joins a sandbox with an interface that is up, addressed, with its MAC and the default route', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await member(c, env, 'sbx-a', { ipv4: ipA });
    const b = await member(c, env, 'sbx-b', { ipv4: ipB, ...macFor(env.driver) });
    for (const m of [a, b]) {
      const link = (await readLinks(m.ns)).find((l) => l.ifname === m.endpoint.ifname);
      expect(link, `${m.endpoint.ifname} in sandbox ${m.ns.name}`).to.not.equal(undefined);
      expect(link!.flags, `flags of ${m.endpoint.ifname}`).to.include('UP');
      const addresses = (link!.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`);
      expect(addresses, `IPv4 addresses of ${m.endpoint.ifname}`).to.include(`${m.endpoint.ipv4}/${m.endpoint.prefixLen}`);
      expect(link!.address, `MAC of ${m.endpoint.ifname}`).to.equal(m.endpoint.mac);
      expect(await defaultGateways(m.ns), `default route of sandbox ${m.ns.name}`).to.deep.equal([c.pool.gateway]);
    }
  });

  it('lets joined sandboxes reach each other and the gateway', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await member(c, env, 'sbx-a', { ipv4: ipA });
    const b = await member(c, env, 'sbx-b', { ipv4: ipB });
    await startHttpServer(c.tn, b.ns, { port: 8080, host: ipB, body: 'from b' });
    expect(await httpGet(a.ns, `http://${ipB}:8080/`)).to.deep.equal({ status: 200, body: 'from b' });
    if (env.gatewayNetns) {
      await startHttpServer(c.tn, env.gatewayNetns, { port: 8081, host: c.pool.gateway, body: 'from the gateway' });
      expect(await httpGet(b.ns, `http://${c.pool.gateway}:8081/`)).to.deep.equal({ status: 200, body: 'from the gateway' });
    }
  });

  it('removes the interface on leave, tolerates a second leave, and leaves nothing in the host after deleteNetwork', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await member(c, env, 'sbx-a', { ipv4: ipA });
    const b = await member(c, env, 'sbx-b', { ipv4: ipB });
    await startHttpServer(c.tn, b.ns, { port: 8080, host: ipB });
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    expect(await linkInventory(a.ns), `interfaces of sandbox ${a.ns.name} after leave`).to.deep.equal(a.before);
    expect(await canConnect(a.ns, ipB, 8080, { timeoutMs: 300 }), 'a left sandbox still reaches the network').to.equal(false);
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    await env.driver.leave(env.ctx, env.network, b.endpoint, b.sandbox);
    expect(await linkInventory(b.ns), `interfaces of sandbox ${b.ns.name} after leave`).to.deep.equal(b.before);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
  });

  it('on a leave with sandboxGoing, cuts the sandbox off at once: its address and MAC work in a new sandbox while the old namespace lives on; deleteNetwork then leaves nothing', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await member(c, env, 'sbx-a', { ipv4: ipA });
    const b = await member(c, env, 'sbx-b', { ipv4: ipB });
    // b talks to a first, so the network has learnt where a's MAC lives.
    await startHttpServer(c.tn, a.ns, { port: 8080, host: ipA, body: 'from a' });
    await startHttpServer(c.tn, b.ns, { port: 8080, host: ipB, body: 'from b' });
    expect(await httpGet(b.ns, `http://${ipA}:8080/`)).to.deep.equal({ status: 200, body: 'from a' });
    // Core deletes the namespace next, but a's server still holds it: the worst case.
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox, { sandboxGoing: true });
    expect(await canConnect(a.ns, ipB, 8080, { timeoutMs: 300 }), 'a sandbox cut off still reaches the network').to.equal(false);
    const next = await member(c, env, 'sbx-c', { ipv4: ipA, ...(a.endpoint.mac && { mac: a.endpoint.mac }) });
    await startHttpServer(c.tn, next.ns, { port: 8080, host: ipA, body: 'from the new sandbox' });
    expect(await httpGet(b.ns, `http://${ipA}:8080/`), 'the address of a going sandbox, taken by a new one').to.deep.equal({ status: 200, body: 'from the new sandbox' });
    await env.driver.leave(env.ctx, env.network, next.endpoint, next.sandbox);
    await env.driver.leave(env.ctx, env.network, b.endpoint, b.sandbox);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
  });

  it('tolerates leaving a sandbox whose namespace is already gone', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await member(c, env, 'sbx-a', { ipv4: ipA });
    // What gc meets after a crash: the container's namespace went first.
    await execIn(undefined, ['ip', 'netns', 'delete', a.ns.name]);
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
  });

  defineOptionalChecks({ tn: c.tn, sample: c.sample, pool: c.pool, setUp: () => driverEnv(c) });

  it('tolerates leave and deleteNetwork for an endpoint and a network it never made', async () => {
    const env = await driverEnv(c);
    const a = await member(c, env, 'sbx-a', { ipv4: ipA }, false);
    // A saga journals the undo before the step, so a crash can leave undo records for steps that never ran.
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(a.ns)).to.deep.equal(a.before);
    expect(await linkInventory(env.host)).to.deep.equal(env.hostBefore);
  });
}

/** Own sandbox without addresses (none-like): join and leave work and the host stays untouched. */
function ownSandboxChecks(c: KernelCheckConfig): void {
  it('joins and leaves an own sandbox (twice over) and leaves the host as it was', async () => {
    const env = await driverEnv(c);
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.createNetwork(env.ctx, env.network);
    const a = await member(c, env, 'sbx-a', {});
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    await env.driver.leave(env.ctx, env.network, a.endpoint, a.sandbox);
    expect(await linkInventory(a.ns), `interfaces of sandbox ${a.ns.name} after leave`).to.deep.equal(a.before);
    await env.driver.deleteNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await linkInventory(env.host), `interfaces of host netns ${env.host.name}`).to.deep.equal(env.hostBefore);
  });
}

/** `--net host`: the container uses the host's namespace; joining must not rewire it. */
function hostModeChecks(c: KernelCheckConfig): void {
  it('changes nothing in the host namespace on create, join, leave and delete', async () => {
    const env = await driverEnv(c);
    const before = await namespaceSnapshot(env.host);
    const endpoint = env.driver.planEndpoint(env.network, endpointInput(env.network));
    // Core's host sandbox: an empty path means "the namespace ctrnet runs in" (here: the test's host).
    const sandbox: Sandbox = { containerId: endpoint.containerId, netnsPath: '', kind: 'host' };
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.join(env.ctx, env.network, endpoint, sandbox);
    await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
    await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
    await env.driver.deleteNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await namespaceSnapshot(env.host)).to.deep.equal(before);
  });
}

/** `--net container:NAME`: the namespace belongs to another container; joining must not touch it. */
function sharedModeChecks(c: KernelCheckConfig): void {
  it("changes nothing in the owner's namespace or the host on create, join, leave and delete", async () => {
    const env = await driverEnv(c);
    const owner = await c.tn.create('owner');
    await owner.exec(['ip', 'link', 'add', 'ctt-own0', 'type', 'veth', 'peer', 'name', 'ctt-own1']);
    await owner.exec(['ip', 'addr', 'add', '10.250.9.1/24', 'dev', 'ctt-own0']);
    await owner.exec(['ip', 'link', 'set', 'ctt-own0', 'up']);
    const ownerBefore = await namespaceSnapshot(owner);
    const hostBefore = await namespaceSnapshot(env.host);
    const endpoint = env.driver.planEndpoint(env.network, endpointInput(env.network));
    const sandbox: Sandbox = { containerId: hexId(), netnsPath: owner.path, kind: 'shared' };
    await env.driver.createNetwork(env.ctx, env.network);
    await env.driver.join(env.ctx, env.network, endpoint, sandbox);
    await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
    await env.driver.leave(env.ctx, env.network, endpoint, sandbox);
    await env.driver.deleteNetwork(env.ctx, env.network);
    await env.driver.deleteNetwork(env.ctx, env.network);
    expect(await namespaceSnapshot(owner), `namespace ${owner.name} of the owner`).to.deep.equal(ownerBefore);
    expect(await namespaceSnapshot(env.host), `host netns ${env.host.name}`).to.deep.equal(hostBefore);
  });
}
