/**
 * The plugin protocol as Docker 20.10 speaks it, sent straight to the
 * socket ctrnetd serves (config `docker.pluginSocket`), on the real kernel
 * in a throwaway host namespace: every endpoint with bad JSON, unknown ids
 * and repeated calls, and a whole endpoint life with ctrnetd SIGKILLed
 * between CreateEndpoint and Join.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { configFingerprint } from '@ctrnet/core/api';
import { HttpApi } from '@ctrnet/client';
import { createCtrnetEnv, execIn, httpGet, startHttpServer, TestNamespaces, type CtrnetEnv, type NetnsHandle } from '@ctrnet/testkit';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

function post(socket: string, method: string, body?: unknown, raw?: string): Promise<Reply> {
  const text = raw ?? (body === undefined ? '' : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path: `/${method}`, headers: { 'content-type': 'application/vnd.docker.plugins.v1.2+json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let out = '';
      res.on('data', (c: Buffer) => (out += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out ? (JSON.parse(out) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const hex = () => randomBytes(32).toString('hex');

const NETWORK_METHODS = [
  'NetworkDriver.GetCapabilities',
  'NetworkDriver.CreateNetwork',
  'NetworkDriver.DeleteNetwork',
  'NetworkDriver.CreateEndpoint',
  'NetworkDriver.EndpointOperInfo',
  'NetworkDriver.DeleteEndpoint',
  'NetworkDriver.Join',
  'NetworkDriver.Leave',
  'NetworkDriver.ProgramExternalConnectivity',
  'NetworkDriver.RevokeExternalConnectivity',
  'NetworkDriver.DiscoverNew',
  'NetworkDriver.DiscoverDelete',
];
const IPAM_METHODS = ['IpamDriver.GetCapabilities', 'IpamDriver.GetDefaultAddressSpaces', 'IpamDriver.RequestPool', 'IpamDriver.ReleasePool', 'IpamDriver.RequestAddress', 'IpamDriver.ReleaseAddress'];

describe('docker plugin protocol, straight to ctrnetd\'s plugin socket', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let env: CtrnetEnv;
  let socket: string;
  let api: HttpApi;
  let lan: NetnsHandle;
  const call = (method: string, body?: unknown) => post(socket, method, body);
  const ok = async (method: string, body?: unknown) => {
    const reply = await call(method, body);
    expect(reply.status, `${method}: ${JSON.stringify(reply.body)}`).to.equal(200);
    expect(reply.body.Err, `${method}: ${JSON.stringify(reply.body)}`).to.equal(undefined);
    return reply.body;
  };

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctt-docker-plugin-'));
    tn.defer(() => rmSync(dir, { recursive: true, force: true }));
    socket = join(dir, 'ctrnet.sock');
    env = await createCtrnetEnv(tn, { daemon: true, config: { docker: { pluginSocket: socket } } });
    api = new HttpApi(join(env.stateDir, 'ctrnetd.sock'), configFingerprint({ configPath: join(env.stateDir, '..', `${env.host.name}.config.json`), env: {} }));
    tn.defer(() => api.close());
    lan = await tn.create('lan');
    await env.host.exec(['ip', 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
    await env.host.exec(['ip', 'addr', 'add', '10.251.78.1/24', 'dev', 'lan0']);
    await env.host.exec(['ip', 'link', 'set', 'lan0', 'up']);
    await lan.exec(['ip', 'addr', 'add', '10.251.78.2/24', 'dev', 'eth0']);
    await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
    await lan.exec(['ip', 'route', 'add', 'default', 'via', '10.251.78.1']);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  it('activates as a network and an IPAM driver of local scope; other methods answer 404', async () => {
    expect(await ok('Plugin.Activate')).to.deep.equal({ Implements: ['NetworkDriver', 'IpamDriver'] });
    expect(await ok('NetworkDriver.GetCapabilities', {})).to.deep.equal({ Scope: 'local', ConnectivityScope: 'local' });
    expect(await ok('IpamDriver.GetCapabilities')).to.deep.equal({ RequiresMACAddress: false, RequiresRequestReplay: false });
    for (const method of ['NetworkDriver.AllocateNetwork', 'NetworkDriver.FreeNetwork', 'NetworkDriver.GwAllocCheck', 'VolumeDriver.Create']) {
      expect((await call(method, {})).status, method).to.equal(404);
    }
  });

  it('answers bad JSON with 400 and an Err on every endpoint, changing nothing', async () => {
    const before = JSON.stringify(await api.call('container.list', { all: true })) + JSON.stringify(await api.call('network.list', {}));
    for (const method of [...NETWORK_METHODS, ...IPAM_METHODS]) {
      for (const raw of ['{"NetworkID": ', '[1, 2]', '"text"']) {
        const reply = await post(socket, method, undefined, raw);
        expect(reply.status, `${method} ${raw}`).to.equal(400);
        expect(reply.body.Err, `${method} ${raw}`).to.be.a('string');
      }
    }
    expect(JSON.stringify(await api.call('container.list', { all: true })) + JSON.stringify(await api.call('network.list', {}))).to.equal(before);
  });

  it('answers unknown ids: Err where something must exist, success where Docker cleans up', async () => {
    const [net, ep] = [hex(), hex()];
    for (const [method, body] of [
      ['NetworkDriver.CreateEndpoint', { NetworkID: net, EndpointID: ep, Interface: { Address: '10.9.9.2/24' } }],
      ['NetworkDriver.Join', { NetworkID: net, EndpointID: ep, SandboxKey: '/var/run/docker/netns/x' }],
      ['NetworkDriver.EndpointOperInfo', { NetworkID: net, EndpointID: ep }],
      ['NetworkDriver.ProgramExternalConnectivity', { NetworkID: net, EndpointID: ep, Options: {} }],
      ['NetworkDriver.CreateNetwork', { NetworkID: 'not-hex', IPv4Data: [{ Pool: '10.9.9.0/24' }] }],
      ['IpamDriver.RequestAddress', { PoolID: hex() }],
      ['IpamDriver.RequestAddress', { PoolID: 'LocalDefault/10.9.9.0/24' }],
    ] as const) {
      const reply = await call(method, body);
      expect(reply.status, method).to.equal(200);
      expect(reply.body.Err, `${method} ${JSON.stringify(reply.body)}`).to.be.a('string').that.is.not.empty;
    }
    for (const [method, body] of [
      ['NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep }],
      ['NetworkDriver.DeleteNetwork', { NetworkID: net }],
      ['NetworkDriver.Leave', { NetworkID: net, EndpointID: ep }],
      ['NetworkDriver.RevokeExternalConnectivity', { NetworkID: net, EndpointID: ep }],
      ['IpamDriver.ReleasePool', { PoolID: hex() }],
      ['IpamDriver.ReleaseAddress', { PoolID: hex(), Address: '10.9.9.2/24' }],
    ] as const) {
      expect(await ok(method, body), method).to.deep.equal({});
    }
  });

  it("serves a network whose pool came from Docker's own IPAM: the subnet and gateway Docker gives, the endpoint's address claimed in ctrnet", async () => {
    const [net, ep] = [hex(), hex()];
    await ok('NetworkDriver.CreateNetwork', { NetworkID: net, Options: { 'com.docker.network.generic': { 'com.docker.network.driver.mtu': '1400' } }, IPv4Data: [{ AddressSpace: 'LocalDefault', Pool: '10.251.80.0/24', Gateway: '10.251.80.1/24' }] });
    const inspect = await api.call('network.inspect', { name: `docker-${net.slice(0, 12)}` });
    expect(inspect.IPAM.Config[0]).to.include({ Subnet: '10.251.80.0/24', Gateway: '10.251.80.1' });
    expect(inspect.Options.mtu).to.equal('1400');
    await ok('NetworkDriver.CreateEndpoint', { NetworkID: net, EndpointID: ep, Interface: { Address: '10.251.80.7/24', MacAddress: '92:d0:c6:0a:29:33' }, Options: {} });
    const [attachment] = await api.call('sandbox.list', { owner: `docker:${ep}` });
    expect(attachment).to.include({ ipv4: '10.251.80.7', mac: '92:d0:c6:0a:29:33' });
    expect((await call('NetworkDriver.DeleteNetwork', { NetworkID: net })).body.Err, 'a network with an endpoint').to.match(/active endpoints/);
    await ok('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep });
    await ok('NetworkDriver.DeleteNetwork', { NetworkID: net });
    expect((await api.call('network.list', {})).map((n) => n.Name)).to.deep.equal(['bridge', 'host', 'none']);
  });

  it('lives a whole endpoint life, repeated calls answered the same, with ctrnetd SIGKILLed between CreateEndpoint and Join', async () => {
    const [net, ep] = [hex(), hex()];
    const pool = (await ok('IpamDriver.RequestPool', { AddressSpace: 'ctrnet-local', Pool: '10.251.79.0/24', SubPool: '', Options: {}, V6: false })) as { PoolID: string; Pool: string };
    expect(pool.Pool).to.equal('10.251.79.0/24');
    expect((await call('IpamDriver.RequestPool', { Pool: '10.251.79.0/24' })).body.Err, 'an overlapping pool').to.match(/overlaps/);
    expect(await ok('IpamDriver.RequestAddress', { PoolID: pool.PoolID, Address: '', Options: { RequestAddressType: 'com.docker.network.gateway' } })).to.deep.equal({ Address: '10.251.79.1/24', Data: {} });
    const create = { NetworkID: net, Options: { 'com.docker.network.generic': {} }, IPv4Data: [{ AddressSpace: 'ctrnet-local', Pool: '10.251.79.0/24', Gateway: '10.251.79.1/24' }], IPv6Data: [] };
    await ok('NetworkDriver.CreateNetwork', create);
    await ok('NetworkDriver.CreateNetwork', create);
    expect((await api.call('ipam.listPools', {}))[0]).to.include({ id: pool.PoolID, network: `docker-${net.slice(0, 12)}` });
    const { Address } = (await ok('IpamDriver.RequestAddress', { PoolID: pool.PoolID, Address: '', Options: {} })) as { Address: string };
    expect(Address).to.equal('10.251.79.2/24');
    const endpoint = {
      NetworkID: net,
      EndpointID: ep,
      Interface: { Address, AddressIPv6: '', MacAddress: '' },
      Options: { 'com.docker.network.portmap': [{ Proto: 6, IP: '', Port: 80, HostIP: '', HostPort: 8080, HostPortEnd: 8080 }], 'com.docker.network.endpoint.exposedports': [{ Proto: 6, Port: 80 }] },
    };
    const created = (await ok('NetworkDriver.CreateEndpoint', endpoint)) as { Interface: { MacAddress: string } };
    expect(created.Interface.MacAddress).to.match(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(await ok('NetworkDriver.CreateEndpoint', endpoint)).to.deep.equal(created);

    process.kill(Number(readFileSync(join(env.stateDir, 'ctrnetd.pid'), 'utf8')), 'SIGKILL');
    await env.daemon!.restart();

    const joinReq = { NetworkID: net, EndpointID: ep, SandboxKey: '/var/run/docker/netns/0123456789ab', Options: {} };
    const joined = (await ok('NetworkDriver.Join', joinReq)) as { InterfaceName: { SrcName: string; DstPrefix: string }; Gateway: string };
    expect(joined).to.deep.include({ InterfaceName: { SrcName: `ctd${ep.slice(0, 12)}`, DstPrefix: 'eth' }, Gateway: '10.251.79.1' });
    expect(await ok('NetworkDriver.Join', joinReq)).to.deep.equal(joined);
    const portmap = { 'com.docker.network.portmap': [{ Proto: 6, IP: '', Port: 80, HostIP: '', HostPort: 8080, HostPortEnd: 8080 }] };
    await ok('NetworkDriver.ProgramExternalConnectivity', { NetworkID: net, EndpointID: ep, Options: portmap });
    await ok('NetworkDriver.ProgramExternalConnectivity', { NetworkID: net, EndpointID: ep, Options: portmap });
    // What dockerd does after Join: move the interface into the sandbox, rename, address and route it.
    const sandbox = await tn.create('sandbox');
    const src = joined.InterfaceName.SrcName;
    await env.host.exec(['ip', 'link', 'set', src, 'netns', sandbox.path]);
    await sandbox.exec(['ip', 'link', 'set', src, 'name', 'eth0']);
    await sandbox.exec(['ip', 'addr', 'add', Address, 'dev', 'eth0']);
    await sandbox.exec(['ip', 'link', 'set', 'eth0', 'up']);
    await sandbox.exec(['ip', 'route', 'add', 'default', 'via', joined.Gateway]);
    expect((await execIn(sandbox, ['ip', '-o', 'link', 'show', 'eth0'])).stdout).to.include(created.Interface.MacAddress);
    await startHttpServer(tn, sandbox, { port: 80, body: 'docker endpoint' });
    expect((await httpGet(lan, 'http://10.251.78.1:8080/')).body).to.equal('docker endpoint');
    const info = (await ok('NetworkDriver.EndpointOperInfo', { NetworkID: net, EndpointID: ep })) as { Value: { ipv4: string } };
    expect(info.Value.ipv4).to.equal(Address);

    await ok('NetworkDriver.RevokeExternalConnectivity', { NetworkID: net, EndpointID: ep });
    expect((await api.call('sandbox.list', { owner: `docker:${ep}` }))[0]!.bindings).to.deep.equal([]);
    await ok('NetworkDriver.RevokeExternalConnectivity', { NetworkID: net, EndpointID: ep });
    await ok('NetworkDriver.Leave', { NetworkID: net, EndpointID: ep });
    await ok('NetworkDriver.Leave', { NetworkID: net, EndpointID: ep });
    // Docker moves it back under its source name before DeleteEndpoint.
    await sandbox.exec(['ip', 'link', 'set', 'eth0', 'down']);
    await sandbox.exec(['ip', 'link', 'set', 'eth0', 'name', src]);
    await sandbox.exec(['ip', 'link', 'set', src, 'netns', env.host.path]);
    await ok('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep });
    await ok('NetworkDriver.DeleteEndpoint', { NetworkID: net, EndpointID: ep });
    expect((await execIn(env.host, ['ip', '-o', 'link'])).stdout).to.not.include(src);
    await ok('IpamDriver.ReleaseAddress', { PoolID: pool.PoolID, Address });
    await ok('NetworkDriver.DeleteNetwork', { NetworkID: net });
    await ok('NetworkDriver.DeleteNetwork', { NetworkID: net });
    await ok('IpamDriver.ReleaseAddress', { PoolID: pool.PoolID, Address: '10.251.79.1/24' });
    await ok('IpamDriver.ReleasePool', { PoolID: pool.PoolID });
    await ok('IpamDriver.ReleasePool', { PoolID: pool.PoolID });
    expect(await api.call('ipam.listPools', {})).to.deep.equal([]);
    expect(await api.call('container.list', { all: true })).to.deep.equal([]);
    expect((await api.call('network.list', {})).map((n) => n.Name)).to.deep.equal(['bridge', 'host', 'none']);
  });
});
