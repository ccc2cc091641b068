import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, type Endpoint, type Network, type NetworkDriver, type PluginContext, type Sandbox } from '@ctrnet/core';
import { canConnect, httpGet, startHttpServer, useTestNamespaces, type NetnsHandle } from '@ctrnet/testkit';
import { BridgeDriver } from '../src/index.js';
import { HostNamespaceExecutor } from '@ctrnet/testkit';

const log = createDebug('ctrnet:test');

interface Link {
  ifname: string;
  mtu: number;
  address: string;
  flags: string[];
  linkinfo?: { info_kind?: string; info_slave_data?: { hairpin?: boolean } };
  addr_info?: Array<{ local: string; prefixlen: number }>;
}

async function links(ns: NetnsHandle): Promise<Link[]> {
  return JSON.parse((await ns.exec(['ip', '-j', '-d', 'addr', 'show'])).stdout) as Link[];
}

async function link(ns: NetnsHandle, name: string): Promise<Link> {
  const found = (await links(ns)).find((l) => l.ifname === name);
  expect(found, `${name} in ${ns.name}`).to.not.equal(undefined);
  return found!;
}

function hexId(): string {
  return randomBytes(32).toString('hex');
}

describe('bridge driver on a real kernel', function () {
  this.timeout(30_000);
  const tn = useTestNamespaces();
  const driver: NetworkDriver = new BridgeDriver();
  let host: NetnsHandle;
  let ctx: PluginContext;

  beforeEach(async () => {
    host = await tn.createHost();
    ctx = { exec: new HostNamespaceExecutor(host.path), log };
  });

  async function createNetwork(options: Record<string, string> = {}, internal = false): Promise<Network> {
    const id = hexId();
    const plan = driver.planNetwork({ name: 'front', driver: 'bridge', internal, ipv6: false, options }, id);
    const network: Network = {
      id,
      name: 'front',
      driver: 'bridge',
      ipamDriver: 'default',
      pool: { subnet: '10.250.7.0/24', gateway: '10.250.7.1' },
      internal,
      ipv6: false,
      ...plan,
      created: new Date().toISOString(),
    };
    await driver.createNetwork(ctx, network);
    return network;
  }

  async function joinNew(network: Network, label: string, fields: Partial<Endpoint>): Promise<{ ns: NetnsHandle; endpoint: Endpoint; sandbox: Sandbox }> {
    const ns = await tn.create(label);
    const containerId = hexId();
    const endpoint = driver.planEndpoint(network, {
      id: hexId(),
      containerId,
      networkId: network.id,
      ifname: 'eth0',
      defaultRoute: true,
      ...fields,
    });
    const sandbox: Sandbox = { containerId, netnsPath: ns.path, kind: 'own' };
    await driver.join(ctx, network, endpoint, sandbox);
    return { ns, endpoint, sandbox };
  }

  it('connects two containers and the host through the bridge, and cleans up after itself', async () => {
    const network = await createNetwork({ 'com.docker.network.driver.mtu': '1400' });
    const bridge = network.driverData.bridge!;
    // Creating an existing network again must be harmless.
    await driver.createNetwork(ctx, network);

    const a = await joinNew(network, 'c1', { ipv4: '10.250.7.2' });
    const b = await joinNew(network, 'c2', { ipv4: '10.250.7.3', mac: '92:D0:C6:0A:29:33' });

    const br = await link(host, bridge);
    expect(br.linkinfo?.info_kind).to.equal('bridge');
    expect(br.mtu).to.equal(1400);
    expect(br.addr_info?.map((x) => `${x.local}/${x.prefixlen}`)).to.include('10.250.7.1/24');
    expect((await link(host, a.endpoint.hostIfname!)).linkinfo?.info_slave_data?.hairpin).to.equal(true);

    const eth0 = await link(a.ns, 'eth0');
    expect(eth0.address).to.equal('02:42:0a:fa:07:02');
    expect(eth0.mtu).to.equal(1400);
    expect(eth0.flags).to.include('UP');
    expect(eth0.addr_info?.map((x) => `${x.local}/${x.prefixlen}`)).to.include('10.250.7.2/24');
    expect((await link(b.ns, 'eth0')).address).to.equal('92:d0:c6:0a:29:33');
    const routes = JSON.parse((await a.ns.exec(['ip', '-j', 'route', 'show', 'default'])).stdout) as Array<{ gateway: string; dev: string }>;
    expect(routes.map((r) => `${r.gateway} ${r.dev}`)).to.deep.equal(['10.250.7.1 eth0']);

    await startHttpServer(tn, b.ns, { port: 8080, body: 'from b' });
    expect(await httpGet(a.ns, 'http://10.250.7.3:8080/')).to.deep.equal({ status: 200, body: 'from b' });
    await startHttpServer(tn, host, { port: 8081, host: '10.250.7.1', body: 'from host' });
    expect(await httpGet(b.ns, 'http://10.250.7.1:8081/')).to.deep.equal({ status: 200, body: 'from host' });

    await driver.leave(ctx, network, a.endpoint, a.sandbox);
    expect(await canConnect(a.ns, '10.250.7.3', 8080, { timeoutMs: 300 })).to.equal(false);
    expect((await links(a.ns)).map((l) => l.ifname)).to.deep.equal(['lo']);
    // Leaving twice is fine.
    await driver.leave(ctx, network, a.endpoint, a.sandbox);
    await driver.leave(ctx, network, b.endpoint, b.sandbox);
    await driver.deleteNetwork(ctx, network);
    await driver.deleteNetwork(ctx, network);
    expect((await links(host)).map((l) => l.ifname)).to.deep.equal(['lo']);
    expect((await links(b.ns)).map((l) => l.ifname)).to.deep.equal(['lo']);
  });

  it('routes a container via --default-gateway and gives an internal network no default route', async () => {
    const network = await createNetwork({}, true);
    const viaGw = await joinNew(network, 'c1', { ipv4: '10.250.7.2', defaultGateway: '10.250.7.254' });
    const plain = await joinNew(network, 'c2', { ipv4: '10.250.7.3' });
    const defaults = async (ns: NetnsHandle) =>
      (JSON.parse((await ns.exec(['ip', '-j', 'route', 'show', 'default'])).stdout) as Array<{ gateway: string }>).map((r) => r.gateway);
    expect(await defaults(viaGw.ns)).to.deep.equal(['10.250.7.254']);
    expect(await defaults(plain.ns)).to.deep.equal([]);
    // The internal network still reaches its gateway: blocking egress is the firewall's job.
    await startHttpServer(tn, host, { port: 8081, host: '10.250.7.1' });
    expect(await canConnect(plain.ns, '10.250.7.1', 8081)).to.equal(true);
  });

  it('tolerates a sandbox that is already gone when leaving', async () => {
    const network = await createNetwork();
    const a = await joinNew(network, 'c1', { ipv4: '10.250.7.2' });
    await host.exec(['ip', 'netns', 'delete', a.ns.name]);
    await driver.leave(ctx, network, a.endpoint, a.sandbox);
    await driver.deleteNetwork(ctx, network);
    expect((await links(host)).map((l) => l.ifname)).to.deep.equal(['lo']);
  });

  it('refuses to take over an existing interface that is not a bridge', async () => {
    await host.exec(['ip', 'link', 'add', 'notabridge', 'type', 'veth', 'peer', 'name', 'notabridge-p']);
    const err = await createNetwork({ bridge_name: 'notabridge' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'CONFLICT');
  });
});
