/**
 * End to end: the runtime API's attachments of namespaces ctrnet did not
 * create (`sandbox.*`) and its address pools for engines with an IPAM
 * protocol of their own (`ipam.*`), through ctrnetd, on the real kernel.
 * The engine adapters (CNI plugin, OCI hook, Docker driver) are thin
 * layers over exactly these calls.
 */
import { existsSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { configFingerprint, type CtrnetApi } from '@ctrnet/core/api';
import { HttpApi } from '@ctrnet/client';
import { createCtrnetEnv, execIn, httpGet, startHttpServer, useTestNamespaces, type CtrnetEnv } from '@ctrnet/testkit';
import { HOST_LAN_IP, createLan } from './helpers/lan.js';
import { ps } from './helpers/state.js';

const SUBNET = '10.251.70.0/24';

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

async function world(tn: ReturnType<typeof useTestNamespaces>): Promise<{ env: CtrnetEnv; api: CtrnetApi }> {
  const env = await createCtrnetEnv(tn, { daemon: true });
  const api = new HttpApi(join(env.stateDir, 'ctrnetd.sock'), configFingerprint({ env: {} }));
  tn.defer(() => api.close());
  return { env, api };
}

describe('sandbox and ipam API (e2e, through ctrnetd)', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();

  it('attaches a foreign namespace with a published port, checks it, and detaches it without a trace (twice)', async () => {
    const { env, api } = await world(tn);
    await api.call('network.create', { name: 'sbx', driver: 'bridge', subnet: SUBNET, internal: false, ipv6: false, options: {} });
    const lan = await createLan(tn, env.host);
    const ns = await tn.create('foreign');
    const a = await api.call('sandbox.attach', {
      owner: 'test:one',
      network: 'sbx',
      ifname: 'eth0',
      netnsPath: ns.path,
      publish: [{ hostPorts: { start: 8080, end: 8080 }, containerPorts: { start: 80, end: 80 }, protocol: 'tcp' }],
      aliases: ['web'],
      dns: { servers: ['10.251.70.1'], searches: ['example.test'] },
    });
    expect(a).to.include({ owner: 'test:one', ifname: 'eth0', network: 'sbx', ipv4: '10.251.70.2', prefixLen: 24, gateway: '10.251.70.1', defaultRoute: true, handoff: false });
    expect(a.bindings.map((b) => `${b.hostPort}->${b.containerIp}:${b.containerPort}`)).to.deep.equal(['8080->10.251.70.2:80']);
    expect(a.device).to.match(/^ctr-/);
    await startHttpServer(tn, ns, { port: 80, body: 'foreign' });
    expect((await httpGet(lan, `http://${HOST_LAN_IP}:8080/`)).body).to.equal('foreign');
    expect((await ps(env)).map((c) => c.Name)).to.deep.equal(['test:one/eth0']);
    expect(await api.call('sandbox.check', { owner: 'test:one' })).to.deep.equal({ problems: [] });
    await ns.exec(['ip', 'addr', 'flush', 'dev', 'eth0']);
    expect((await api.call('sandbox.check', { owner: 'test:one' })).problems.join('\n')).to.include('lacks address 10.251.70.2/24');
    const second = await api.call('sandbox.attach', { owner: 'test:one', network: 'sbx', ifname: 'eth0', netnsPath: ns.path }).catch((e: Error) => e);
    expect(String(second)).to.include('already has interface eth0 attached');
    expect((await api.call('sandbox.detach', { owner: 'test:one' })).detached.map((d) => d.ifname)).to.deep.equal(['eth0']);
    expect(await api.call('sandbox.detach', { owner: 'test:one' })).to.deep.equal({ detached: [] });
    expect(await ps(env)).to.deep.equal([]);
    expect((await execIn(ns, ['ip', '-o', 'link'])).stdout).to.not.include('eth0');
    expect((await api.call('network.inspect', { name: 'sbx' })).Containers).to.deep.equal({});
    const err = await api.call('sandbox.check', { owner: 'test:one' }).catch((e: { code: string }) => e);
    expect((err as { code: string }).code).to.equal('NOT_FOUND');
  });

  it('gc detaches an attachment whose namespace vanished, and one pinned to a process that exited', async () => {
    const { env, api } = await world(tn);
    await api.call('network.create', { name: 'sbx', driver: 'bridge', subnet: SUBNET, internal: false, ipv6: false, options: {} });
    const gone = await tn.create('gone');
    await api.call('sandbox.attach', { owner: 'test:gone', network: 'sbx', ifname: 'eth0', netnsPath: gone.path });
    const holder = await tn.create('holder');
    const proc = tn.spawn(holder, ['sleep', '300']);
    // nsenter enters the namespace, then execs sleep: wait until the process is in it.
    const entered = `net:[${statSync(holder.path).ino}]`;
    for (let i = 0; i < 250 && readlinkSafe(`/proc/${proc.pid}/ns/net`) !== entered; i++) await new Promise((r) => setTimeout(r, 20));
    const pinned = await api.call('sandbox.attach', { owner: 'test:pinned', network: 'sbx', ifname: 'eth0', netnsPath: `/proc/${proc.pid}/ns/net`, pin: true });
    const pin = `/run/netns/ctrnet-${pinned.id.slice(0, 12)}`;
    expect(existsSync(pin)).to.equal(true);
    expect((await api.call('system.gc', {})).fixed).to.deep.equal([]);
    await execIn(undefined, ['ip', 'netns', 'delete', gone.name]);
    await proc.stop();
    const fixed = (await api.call('system.gc', {})).fixed;
    expect(fixed.filter((f) => f.startsWith('detached')).length, fixed.join('\n')).to.equal(2);
    expect(existsSync(pin)).to.equal(false);
    expect(await api.call('sandbox.list', {})).to.deep.equal([]);
    expect(await ps(env)).to.deep.equal([]);
  });

  it('hands an interface over in the host namespace, on a pool leased before its network (Docker IPAM order)', async () => {
    const { env, api } = await world(tn);
    const lease = await api.call('ipam.requestPool', { subnet: SUBNET });
    expect(await api.call('ipam.requestAddress', { pool: lease.id, gateway: true })).to.deep.equal({ address: '10.251.70.1', prefixLen: 24 });
    await api.call('network.create', { name: 'leased', driver: 'bridge', ipamPool: lease.id, internal: false, ipv6: false, options: {} });
    expect((await api.call('ipam.listPools', {}))[0]).to.include({ id: lease.id, network: 'leased', subnet: SUBNET });
    const { address } = await api.call('ipam.requestAddress', { pool: lease.id });
    expect(address).to.equal('10.251.70.2');
    // gc keeps an address leased to a pool: its owner is the lease, not a container.
    await api.call('system.gc', {});
    expect((await api.call('ipam.requestAddress', { pool: lease.id })).address).to.equal('10.251.70.3');
    const a = await api.call('sandbox.attach', { owner: 'test:docker', network: 'leased', ifname: 'ctt-ho1', handoff: true, ip: address });
    expect(a).to.include({ ipv4: address, handoff: true, netnsPath: '' });
    const link = (await execIn(env.host, ['ip', '-o', 'link', 'show', 'ctt-ho1'])).stdout;
    expect(link).to.include(a.mac);
    // The engine releases its lease after the endpoint is gone; the sandbox owns the address until then.
    await api.call('ipam.releaseAddress', { pool: lease.id, address });
    expect((await api.call('sandbox.list', { owner: 'test:docker' }))[0]?.ipv4).to.equal(address);
    await api.call('sandbox.detach', { owner: 'test:docker' });
    expect((await execIn(env.host, ['ip', '-o', 'link'])).stdout).to.not.include('ctt-ho1');
    await api.call('ipam.releaseAddress', { pool: lease.id, address: '10.251.70.3' });
    // Docker releases the pool before it deletes the network: the network keeps the pool until it goes.
    await api.call('ipam.releasePool', { pool: lease.id });
    await api.call('ipam.releasePool', { pool: lease.id });
    expect(await api.call('ipam.listPools', {})).to.deep.equal([]);
    expect((await api.call('network.inspect', { name: 'leased' })).IPAM.Config[0]?.Subnet).to.equal(SUBNET);
    await api.call('network.remove', { name: 'leased' });
    // The subnet is free again.
    await api.call('network.create', { name: 'again', driver: 'bridge', subnet: SUBNET, internal: false, ipv6: false, options: {} });
  });
});
