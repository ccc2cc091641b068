/**
 * End to end through the ctrnet CLI, the way a user meets the plugin: loaded
 * by path from a config file, `network create -d macvlan`, `run --net`.
 * The config lists no port publisher: a macvlan network has no bridge, so
 * core never needs one.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BUILTIN_PLUGINS } from '@ctrnet/core';
import { canConnect, createCtrnetEnv, httpGet, startHttpServer, useTestNamespaces, type CtrnetEnv, type NetnsHandle } from '@ctrnet/testkit';

/** This package's built entry point, as a config file would name it. */
const PLUGIN_PATH = fileURLToPath(new URL('../src/index.js', import.meta.url));
const PLUGINS = [...BUILTIN_PLUGINS.filter((p) => !p.startsWith('@ctrnet/ports-')), PLUGIN_PATH];
const PARENT = 'mvparent0';
const SERVER = "require('http').createServer((q,s)=>s.end(require('os').hostname())).listen(80)";

interface Inspect {
  Config: { Hostname: string };
  NetworkSettings: { SandboxKey: string; Networks: Record<string, { IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string }> };
}

async function inspect(env: CtrnetEnv, name: string): Promise<Inspect> {
  return (JSON.parse(await env.ok('inspect', name)) as Inspect[])[0]!;
}

/** The parent's LAN: a veth pair whose far end, in its own namespace, is a host at 10.250.7.100. */
async function lanSegment(env: CtrnetEnv, tn: ReturnType<typeof useTestNamespaces>): Promise<NetnsHandle> {
  const lan = await tn.create('lan');
  await env.host.exec(['ip', 'link', 'add', PARENT, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
  await env.host.exec(['ip', 'link', 'set', PARENT, 'up']);
  await lan.exec(['ip', 'addr', 'add', '10.250.7.100/24', 'dev', 'eth0']);
  await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
  return lan;
}

/** A detached web server container on `net`; resolves once the LAN reaches it. */
async function web(env: CtrnetEnv, lan: NetnsHandle, name: string): Promise<Inspect> {
  await env.ok('run', '-d', '--name', name, '--net', 'mv', '--', process.execPath, '-e', SERVER);
  const info = await inspect(env, name);
  const ip = info.NetworkSettings.Networks.mv!.IPAddress;
  for (let i = 0; i < 50 && !(await canConnect(lan, ip, 80, { timeoutMs: 200 })); i++) await new Promise((r) => setTimeout(r, 100));
  return info;
}

describe('macvlan driver through the ctrnet CLI', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();

  it('puts two containers on the LAN, where they reach each other and a LAN host, and cleans up', async () => {
    const env = await createCtrnetEnv(tn, { config: { plugins: PLUGINS } });
    const lan = await lanSegment(env, tn);
    const hostLinksBefore = (await env.host.exec(['ip', '-o', 'link'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).sort();
    await env.ok('network', 'create', '-d', 'macvlan', '--subnet', '10.250.7.0/24', '-o', `parent=${PARENT}`, 'mv');

    const a = await web(env, lan, 'a');
    const b = await web(env, lan, 'b');
    const netA = a.NetworkSettings.Networks.mv!;
    expect(netA).to.deep.equal({ ...netA, IPAddress: '10.250.7.2', IPPrefixLen: 24, Gateway: '10.250.7.1', MacAddress: '02:42:0a:fa:07:02' });
    const ipB = b.NetworkSettings.Networks.mv!.IPAddress;
    expect(ipB).to.equal('10.250.7.3');

    // The LAN sees the containers as hosts of its own, by their derived MACs.
    expect((await httpGet(lan, 'http://10.250.7.2:80/')).body).to.equal(a.Config.Hostname);
    const neighbours = (await lan.exec(['ip', 'neigh', 'show', '10.250.7.2'])).stdout;
    expect(neighbours).to.contain('02:42:0a:fa:07:02');
    // Container to container, through the parent in bridge mode.
    expect((await httpGet(a.NetworkSettings.SandboxKey, `http://${ipB}:80/`)).body).to.equal(b.Config.Hostname);
    // Container to a LAN host.
    await startHttpServer(tn, lan, { port: 8080, host: '10.250.7.100', body: 'from the LAN' });
    expect(await httpGet(b.NetworkSettings.SandboxKey, 'http://10.250.7.100:8080/')).to.deep.equal({ status: 200, body: 'from the LAN' });

    const busy = await env.cli(['network', 'rm', 'mv']);
    expect(busy.exitCode).to.equal(2);
    await env.ok('rm', '-f', 'a', 'b');
    await env.ok('network', 'rm', 'mv');
    const hostLinksAfter = (await env.host.exec(['ip', '-o', 'link'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).sort();
    expect(hostLinksAfter).to.deep.equal(hostLinksBefore);
    expect(await canConnect(lan, '10.250.7.2', 80, { timeoutMs: 300 })).to.equal(false);
  });

  it('refuses a missing parent and bad options with exit status 2, naming the value, and creates nothing', async () => {
    const env = await createCtrnetEnv(tn, { config: { plugins: PLUGINS } });
    const missing = await env.cli(['network', 'create', '-d', 'macvlan', '--subnet', '10.250.7.0/24', '-o', 'parent=nosuch0', 'mv']);
    expect(missing.exitCode).to.equal(2);
    expect(missing.stderr).to.match(/^ctrnet: error: parent interface "nosuch0" of macvlan network mv does not exist/);
    const mode = await env.cli(['network', 'create', '-d', 'macvlan', '-o', 'parent=lo', '-o', 'macvlan_mode=vepa', 'mv']);
    expect(mode.exitCode).to.equal(2);
    expect(mode.stderr).to.contain('macvlan_mode "vepa" is not supported');
    const networks = JSON.parse(await env.ok('network', 'ls', '--format', 'json')) as Array<{ Name: string }>;
    expect(networks.map((n) => n.Name)).to.not.include('mv');
    // The pool of the failed create was given back: the subnet is free again.
    await env.host.exec(['ip', 'link', 'add', PARENT, 'type', 'veth', 'peer', 'name', 'mvpeer0']);
    await env.ok('network', 'create', '-d', 'macvlan', '--subnet', '10.250.7.0/24', '-o', `parent=${PARENT}`, 'mv');
  });
});
