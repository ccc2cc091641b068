/**
 * End to end: networks that span hosts. Three "hosts" (namespaces with their
 * own state dir and ctrnetd) on one LAN, one etcd on that LAN; every check is
 * made with real packets between container namespaces, the LAN and the hosts.
 */
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUILTIN_PLUGINS } from '@ctrnet/core';
import { canConnect, createCluster, createCtrnetEnv, httpGet, startHttpServer, useTestNamespaces, type Cluster, type ClusterHost } from '@ctrnet/testkit';
import { inspect, ipOf, networks } from './helpers/state.js';

const CLUSTER_PLUGINS = [...BUILTIN_PLUGINS, '@ctrnet/ipam-etcd', '@ctrnet/driver-overlay'];
const SUBNET = '10.210.0.0/16';
const OTHER_SUBNET = '10.211.0.0/16';

/** Poll `check` until it holds or `ms` pass. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

async function hasNetwork(host: ClusterHost, name: string): Promise<boolean> {
  return (await networks(host)).some((n) => n.Name === name);
}

async function sandbox(host: ClusterHost, container: string): Promise<string> {
  return (await inspect(host, container)).NetworkSettings.SandboxKey;
}

/** A detached container with an HTTP server answering its name on :80. */
async function serve(tn: ReturnType<typeof useTestNamespaces>, host: ClusterHost, name: string, net: string, extra: string[] = []): Promise<string> {
  await host.ok('run', '-d', '--name', name, '--net', net, ...extra, '--', 'sleep', '600');
  await startHttpServer(tn, await sandbox(host, name), { port: 80, body: name });
  return ipOf(host, name);
}

/** The gateways of other hosts' slices this host routes to on a network's bridge. */
async function remoteRoutes(host: ClusterHost, bridge: string): Promise<string[]> {
  const out = (await host.host.exec(['ip', '-j', '-4', 'route', 'show', 'dev', bridge], { reject: false })).stdout;
  return (JSON.parse(out || '[]') as { dst: string; gateway?: string }[]).filter((r) => r.gateway).map((r) => r.dst);
}

/** Keys under a prefix of the cluster store. */
async function keys(cluster: Cluster, prefix: string): Promise<string[]> {
  return (await cluster.etcdctl('get', '--prefix', '--keys-only', prefix)).split('\n').filter(Boolean);
}

async function links(host: ClusterHost): Promise<string[]> {
  return (JSON.parse((await host.host.exec(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
}

describe('overlay networks across hosts (e2e)', function () {
  this.timeout(180_000);
  const tn = useTestNamespaces();
  let cluster: Cluster;
  let a: ClusterHost, b: ClusterHost, c: ClusterHost;

  beforeEach(async function () {
    this.timeout(60_000);
    cluster = await createCluster(tn, 3, { plugins: CLUSTER_PLUGINS, leaseTtlSeconds: 3 });
    [a, b, c] = cluster.hosts as [ClusterHost, ClusterHost, ClusterHost];
  });

  it('one network for the cluster: containers on two hosts reach each other, a published port is reached from the LAN, a second network is isolated, and rm leaves nothing', async () => {
    await a.ok('network', 'create', '-d', 'overlay', '--subnet', SUBNET, 'ov1');
    for (const h of [b, c]) await eventually(`${h.name} sees ov1`, () => hasNetwork(h, 'ov1'));

    const ipA = await serve(tn, a, 'web-a', 'ov1');
    const ipC = await serve(tn, c, 'web-c', 'ov1');
    expect(ipA.split('.').slice(0, 3)).to.not.deep.equal(ipC.split('.').slice(0, 3), 'each host hands out its own slice');
    expect((await httpGet(await sandbox(a, 'web-a'), `http://${ipC}/`)).body).to.equal('web-c');
    expect((await httpGet(await sandbox(c, 'web-c'), `http://${ipA}/`)).body).to.equal('web-a');

    // Published on host B, reached from the LAN through B's address.
    await b.ok('run', '-d', '--name', 'pub-b', '--net', 'ov1', '-p', '8080:80', '--', 'sleep', '600');
    await startHttpServer(tn, await sandbox(b, 'pub-b'), { port: 80, body: 'pub-b' });
    expect((await httpGet(cluster.lan, `http://${b.ip}:8080/`)).body).to.equal('pub-b');
    // ... but not by its container address straight from the LAN (the direct-routing guard).
    await cluster.lan.exec(['ip', 'route', 'add', SUBNET, 'via', b.ip]);
    expect(await canConnect(cluster.lan, await ipOf(b, 'pub-b'), 80)).to.equal(false);

    // A second overlay network: its containers cannot reach ov1's.
    await c.ok('network', 'create', '-d', 'overlay', '--subnet', OTHER_SUBNET, 'ov2');
    await eventually('host-a sees ov2', () => hasNetwork(a, 'ov2'));
    await a.ok('run', '-d', '--name', 'other-a', '--net', 'ov2', '--', 'sleep', '600');
    expect(await canConnect(await sandbox(a, 'other-a'), ipC, 80)).to.equal(false);
    expect(await canConnect(await sandbox(a, 'other-a'), ipA, 80)).to.equal(false);

    // network inspect shows each host's slice and containers; system info the hosts.
    const view = JSON.parse(await a.ok('network', 'inspect', 'ov1'))[0] as { DriverStatus: { Hosts: Record<string, { Slice: string; Containers: unknown[] }> } };
    expect(Object.keys(view.DriverStatus.Hosts).sort()).to.deep.equal(['host-a', 'host-b', 'host-c']);
    expect(view.DriverStatus.Hosts['host-c']!.Containers).to.have.length(1);
    expect(await a.ok('system', 'info')).to.match(/Cluster:[\s\S]*hosts \(3\)/);

    for (const [h, names] of [[a, ['web-a', 'other-a']], [b, ['pub-b']], [c, ['web-c']]] as const) await h.ok('rm', '-f', ...names);
    await a.ok('network', 'rm', 'ov1');
    await c.ok('network', 'rm', 'ov2');
    for (const h of [a, b, c]) {
      await eventually(`${h.name} drops both networks`, async () => !(await hasNetwork(h, 'ov1')) && !(await hasNetwork(h, 'ov2')));
      await eventually(`${h.name} has no overlay devices`, async () => !(await links(h)).some((l) => /^(ovb|ovx|vo)/.test(l)));
    }
    const left = await cluster.etcdctl('get', '--prefix', '--keys-only', '/ctrnet/v1/');
    expect(left.split('\n').filter((k) => k && !k.startsWith('/ctrnet/v1/hosts/'))).to.deep.equal([]);

    // Without a cluster config, an overlay network is refused in one line naming what to set.
    const single = await createCtrnetEnv(tn, { config: { plugins: CLUSTER_PLUGINS } });
    const refused = await single.cli(['network', 'create', '-d', 'overlay', '--subnet', SUBNET, 'lonely']);
    expect(refused.exitCode).to.equal(2);
    expect(refused.stderr.trim().split('\n')).to.have.length(1);
    expect(refused.stderr).to.include('set cluster.etcd, cluster.hostName and cluster.advertiseAddress');
  });

  it('faults: racing creates and --ip, etcd down and back, a host killed and restarted, a host namespace deleted', async () => {
    // Two hosts create one name at once: exactly one wins.
    const race = await Promise.all([a, b].map((h) => h.cli(['network', 'create', '-d', 'overlay', '--subnet', SUBNET, 'ov1'])));
    expect(race.map((r) => r.exitCode).sort()).to.deep.equal([0, 2]);
    expect(race.find((r) => r.exitCode !== 0)!.stderr).to.match(/already exists/);
    for (const h of [a, b, c]) await eventually(`${h.name} sees ov1`, () => hasNetwork(h, 'ov1'));
    const bridge = (await networks(a)).find((n) => n.Name === 'ov1')!.Id.slice(0, 11);
    const ovb = `ovb-${bridge}`;

    const ipA = await serve(tn, a, 'web-a', 'ov1');
    const ipB = await serve(tn, b, 'web-b', 'ov1');
    const ipC = await serve(tn, c, 'web-c', 'ov1');
    // The same static address from two hosts at once: one container gets it.
    const wanted = ipA.replace(/\.\d+$/, '.77');
    const ipRace = await Promise.all([a, b].map((h, i) => h.cli(['run', '-d', '--name', `fixed${i}`, '--net', 'ov1', '--ip', wanted, '--', 'sleep', '600'])));
    expect(ipRace.filter((r) => r.exitCode === 0)).to.have.length(1);

    // etcd down: a new container fails at once and clearly; what runs keeps its connectivity.
    await cluster.killEtcd();
    const started = Date.now();
    const refused = await a.cli(['run', '-d', '--name', 'late', '--net', 'ov1', '--', 'sleep', '600']);
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.match(/cluster store \(etcd\) does not answer/);
    expect(Date.now() - started).to.be.below(5000);
    expect((await httpGet(await sandbox(a, 'web-a'), `http://${ipC}/`)).body).to.equal('web-c');
    // etcd back: everything resumes, no restart.
    await cluster.startEtcd();
    await eventually('run works again', async () => (await a.cli(['run', '-d', '--name', 'late', '--net', 'ov1', '--', 'sleep', '600'])).exitCode === 0, 20_000);
    await startHttpServer(tn, await sandbox(a, 'late'), { port: 80, body: 'late' });
    expect((await httpGet(await sandbox(c, 'web-c'), `http://${await ipOf(a, 'late')}/`)).body).to.equal('late');

    // Host B killed: its lease expires, its slice and addresses go, the others drop its routes.
    const sliceB = (await remoteRoutes(a, ovb)).find((dst) => ipB.startsWith(dst.split('.').slice(0, 3).join('.')))!;
    expect(sliceB, 'host-a routes to host-b').to.be.a('string');
    cluster.killDaemon(b);
    await eventually('host-b reclaimed', async () => !(await keys(cluster, '/ctrnet/v1/')).some((k) => k.endsWith('/host-b') || k.includes(ipB)), 15_000);
    for (const h of [a, c]) await eventually(`${h.name} drops host-b's route`, async () => !(await remoteRoutes(h, ovb)).includes(sliceB));
    expect(await canConnect(await sandbox(a, 'web-a'), ipB, 80)).to.equal(false);

    // Host B restarted after losing its tunnel device: it re-claims its slice and address and re-programs the kernel.
    await b.host.exec(['ip', 'link', 'del', `ovx-${bridge}`]);
    await b.daemon!.restart();
    await eventually('host-a reaches host-b again', async () => (await httpGet(await sandbox(a, 'web-a'), `http://${ipB}/`, { timeoutMs: 500 })).body === 'web-b');
    expect((await httpGet(await sandbox(b, 'web-b'), `http://${ipC}/`)).body).to.equal('web-c');

    // Host C's namespace deleted with its daemon: A forgets it.
    await c.ok('rm', '-f', 'web-c');
    const sliceC = (await remoteRoutes(a, ovb)).find((dst) => ipC.startsWith(dst.split('.').slice(0, 3).join('.')))!;
    cluster.killDaemon(c);
    await c.host.exec(['ip', 'netns', 'delete', c.host.name]).catch(() => undefined);
    await eventually("host-a drops host-c's route", async () => !(await remoteRoutes(a, ovb)).includes(sliceC), 15_000);
  });
});
