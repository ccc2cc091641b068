/**
 * What every port publisher must do on a real kernel, written once for all
 * backends: `describePublisherBehaviour('iptables', {...})`. Each test builds
 * its own small topology in throwaway namespaces, so nothing here depends on
 * a network driver:
 *
 *   LAN netns 10.250.8.2 ── veth ── 10.250.8.1  HOST netns  br-t 10.250.2.1/24 ── veth ── ctr netns 10.250.2.2
 *                                                           br-t              ── veth ── ctr2 netns 10.250.2.3
 *                                                           br-u 10.250.3.1/24 ── veth ── ctr3 netns 10.250.3.2
 *
 * The publisher runs "on the host" through an executor that aims every
 * command at the host namespace. Traffic only flows between these namespaces.
 */
import { expect } from 'chai';
import createDebug from 'debug';
import type { LinkRule, NetworkRules, PluginContext, PortBinding, PortPublisher } from '@ctrnet/core';
import {
  canConnect,
  HostNamespaceExecutor,
  httpGet,
  startHttpServer,
  startUdpEcho,
  udpRequest,
  useTestNamespaces,
  type NetnsHandle,
  type TestNamespaces,
} from '@ctrnet/testkit';

/** How a backend under test is made and inspected. */
export interface PublisherBehaviourOptions {
  /** A fresh publisher; called once per test. */
  create(): PortPublisher;
  /** Every firewall object the backend owns in `host`, as stable text ('' when none). Compared before and after to prove exact cleanup. */
  owned(host: NetnsHandle): Promise<string>;
  /** Throws away the backend's rules the way an outside tool would (`iptables -F`, `nft flush ruleset`), for the reload test. */
  flush(host: NetnsHandle): Promise<void>;
  /** Installs firewall state that belongs to someone else. */
  addForeignRules(host: NetnsHandle): Promise<void>;
  /** The foreign state as stable text; it must not change while the publisher works. */
  foreignRules(host: NetnsHandle): Promise<string>;
}

const log = createDebug('ctrnet:testkit:publisher-behaviour');

/** A negative probe waits out its whole timeout; inside namespaces a real answer takes well under a millisecond. */
const DROPPED = { timeoutMs: 300 };

const NET_ID = `5e7a0000000b${'0'.repeat(52)}`;
const NET2_ID = `5e7a0000000c${'0'.repeat(52)}`;
const CTR_ID = `c0ffee000001${'1'.repeat(52)}`;
const CTR2_ID = `c0ffee000002${'2'.repeat(52)}`;

const NETWORK: NetworkRules = { networkId: NET_ID, bridge: 'br-t', subnet: '10.250.2.0/24', gateway: '10.250.2.1', internal: false, icc: true, masquerade: true };
const NETWORK2: NetworkRules = { networkId: NET2_ID, bridge: 'br-u', subnet: '10.250.3.0/24', gateway: '10.250.3.1', internal: false, icc: true, masquerade: true };

const HOST_LAN_IP = '10.250.8.1';
const LAN_IP = '10.250.8.2';
const CTR_IP = '10.250.2.2';
const CTR2_IP = '10.250.2.3';
const CTR3_IP = '10.250.3.2';

function binding(overrides: Partial<PortBinding>): PortBinding {
  return { containerId: CTR_ID, networkId: NET_ID, bridge: 'br-t', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: CTR_IP, containerPort: 80, ...overrides };
}

/** Answers every HTTP request with the client's address: tells masqueraded from direct traffic. */
const WHOAMI_SERVER = `
const [host, port] = process.argv.slice(1);
process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((req, res) => res.end(req.socket.remoteAddress))
  .listen(Number(port), host, () => console.log('whoami:listening'));
`;

interface Topology {
  host: NetnsHandle;
  lan: NetnsHandle;
  ctr: NetnsHandle;
  ctx: PluginContext;
}

async function addBridge(host: NetnsHandle, name: string, cidr: string): Promise<void> {
  await host.exec(['ip', 'link', 'add', name, 'type', 'bridge']);
  await host.exec(['ip', 'addr', 'add', cidr, 'dev', name]);
  await host.exec(['ip', 'link', 'set', name, 'up']);
}

/** A namespace joined to the host by a veth; `hostSide` is enslaved to `bridge` or given `hostCidr`. */
async function attach(tn: TestNamespaces, host: NetnsHandle, label: string, cidr: string, via: { bridge: string } | { hostCidr: string }, gateway?: string): Promise<NetnsHandle> {
  const ns = await tn.create(label);
  const hostSide = `vh-${label}`;
  await host.exec(['ip', 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
  if ('bridge' in via) {
    await host.exec(['ip', 'link', 'set', hostSide, 'master', via.bridge]);
    // As a bridge driver must (Docker without its proxy, CNI's hairpinMode): with
    // br_netfilter, a container's connection to its own published port is bridged
    // back out of the port it came in on, which the bridge refuses without hairpin.
    await host.exec(['ip', 'link', 'set', hostSide, 'type', 'bridge_slave', 'hairpin', 'on']);
  } else await host.exec(['ip', 'addr', 'add', via.hostCidr, 'dev', hostSide]);
  await host.exec(['ip', 'link', 'set', hostSide, 'up']);
  await ns.exec(['ip', 'addr', 'add', cidr, 'dev', 'eth0']);
  await ns.exec(['ip', 'link', 'set', 'eth0', 'up']);
  if (gateway) await ns.exec(['ip', 'route', 'add', 'default', 'via', gateway]);
  return ns;
}

async function buildTopology(tn: TestNamespaces): Promise<Topology> {
  const host = await tn.createHost();
  await addBridge(host, 'br-t', '10.250.2.1/24');
  const [ctr, lan] = await Promise.all([
    attach(tn, host, 'ctr', `${CTR_IP}/24`, { bridge: 'br-t' }, '10.250.2.1'),
    // The LAN has no route to container subnets: replies to unmasqueraded egress get lost.
    attach(tn, host, 'lan', `${LAN_IP}/24`, { hostCidr: `${HOST_LAN_IP}/24` }),
  ]);
  return { host, lan, ctr, ctx: { exec: new HostNamespaceExecutor(host.path), log } };
}

async function startWhoami(tn: TestNamespaces, ns: NetnsHandle, host: string, port: number): Promise<void> {
  const proc = tn.spawn(ns, [process.execPath, '-e', WHOAMI_SERVER, '--', host, String(port)]);
  await proc.waitForOutput('whoami:listening', 10_000);
}

/** Registers the behaviour suite for one publisher backend. */
export function describePublisherBehaviour(name: string, options: PublisherBehaviourOptions): void {
  describe(`port publisher behaviour: ${name}`, function () {
    this.timeout(30_000);
    const tn = useTestNamespaces();
    let t: Topology;
    let publisher: PortPublisher;

    beforeEach(async () => {
      t = await buildTopology(tn);
      publisher = options.create();
    });

    it('probes usable', async () => {
      expect((await publisher.probe(t.ctx)).usable).to.equal(true);
    });

    it('publishes a TCP port to the LAN, the host, localhost and the container itself (hairpin)', async () => {
      await startHttpServer(tn, t.ctr, { port: 80, body: 'from ctr' });
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({})]);
      const answers = await Promise.all([
        httpGet(t.lan, `http://${HOST_LAN_IP}:8080/`),
        httpGet(t.host, `http://${HOST_LAN_IP}:8080/`),
        httpGet(t.host, 'http://10.250.2.1:8080/'),
        httpGet(t.host, 'http://127.0.0.1:8080/'),
        httpGet(t.ctr, `http://${HOST_LAN_IP}:8080/`),
      ]);
      expect(answers.map((a) => a.body)).to.deep.equal(Array(5).fill('from ctr'));
    });

    it('lets a neighbour on the same bridge use the published port (hairpin between containers)', async () => {
      const ctr2 = await attach(tn, t.host, 'ctr2', `${CTR2_IP}/24`, { bridge: 'br-t' }, '10.250.2.1');
      await startHttpServer(tn, t.ctr, { port: 80, body: 'from ctr' });
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({})]);
      expect((await httpGet(ctr2, `http://${HOST_LAN_IP}:8080/`)).body).to.equal('from ctr');
    });

    it('answers a HOST_IP binding on that address only', async () => {
      await startHttpServer(tn, t.ctr, { port: 80 });
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({ hostIp: HOST_LAN_IP, hostPort: 8081 })]);
      const reached = await Promise.all([
        canConnect(t.lan, HOST_LAN_IP, 8081),
        canConnect(t.host, HOST_LAN_IP, 8081),
        canConnect(t.host, '127.0.0.1', 8081, DROPPED),
        canConnect(t.host, '10.250.2.1', 8081, DROPPED),
      ]);
      expect(reached).to.deep.equal([true, true, false, false]);
    });

    it('answers a 127.0.0.1 binding on localhost only', async () => {
      await startHttpServer(tn, t.ctr, { port: 80 });
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({ hostIp: '127.0.0.1', hostPort: 8082 })]);
      const reached = await Promise.all([
        canConnect(t.host, '127.0.0.1', 8082),
        canConnect(t.lan, HOST_LAN_IP, 8082, DROPPED),
        canConnect(t.host, HOST_LAN_IP, 8082, DROPPED),
      ]);
      expect(reached).to.deep.equal([true, false, false]);
    });

    it('publishes UDP', async () => {
      await startUdpEcho(tn, t.ctr, { port: 5353 });
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({ protocol: 'udp', hostPort: 5353, containerPort: 5353 })]);
      expect(await udpRequest(t.lan, HOST_LAN_IP, 5353, 'ping')).to.equal('echo:ping');
      expect(await udpRequest(t.host, '127.0.0.1', 5353, 'local')).to.equal('echo:local');
    });

    it('masquerades container egress to the host address', async () => {
      await startWhoami(tn, t.lan, LAN_IP, 8090);
      await publisher.addNetwork(t.ctx, NETWORK);
      expect((await httpGet(t.ctr, `http://${LAN_IP}:8090/`)).body).to.equal(HOST_LAN_IP);
    });

    it('keeps the client address of published-port connections from the LAN', async () => {
      await startWhoami(tn, t.ctr, '0.0.0.0', 80);
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({})]);
      expect((await httpGet(t.lan, `http://${HOST_LAN_IP}:8080/`)).body).to.equal(LAN_IP);
    });

    it('drops LAN traffic routed straight to container addresses', async () => {
      await startHttpServer(tn, t.ctr, { port: 80 });
      await t.lan.exec(['ip', 'route', 'add', '10.250.2.0/24', 'via', HOST_LAN_IP]);
      // Without ctrnet's rules the host forwards it: the check below means something.
      expect(await canConnect(t.lan, CTR_IP, 80)).to.equal(true);
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({})]);
      expect(await Promise.all([canConnect(t.lan, CTR_IP, 80, DROPPED), canConnect(t.lan, HOST_LAN_IP, 8080)])).to.deep.equal([false, true]);
    });

    it('gives an internal network no way out', async () => {
      await startWhoami(tn, t.lan, LAN_IP, 8090);
      await publisher.addNetwork(t.ctx, { ...NETWORK, internal: true });
      expect(await canConnect(t.ctr, LAN_IP, 8090, DROPPED)).to.equal(false);
    });

    it('with ICC off isolates containers on one bridge, and a link opens the exposed ports', async () => {
      const ctr2 = await attach(tn, t.host, 'ctr2', `${CTR2_IP}/24`, { bridge: 'br-t' }, '10.250.2.1');
      await startHttpServer(tn, t.ctr, { port: 80 });
      await publisher.addNetwork(t.ctx, NETWORK);
      expect(await canConnect(ctr2, CTR_IP, 80)).to.equal(true);
      await publisher.removeNetwork(t.ctx, NETWORK);
      await publisher.addNetwork(t.ctx, { ...NETWORK, icc: false });
      expect(await canConnect(ctr2, CTR_IP, 80, DROPPED)).to.equal(false);
      const link: LinkRule = { containerId: CTR2_ID, bridge: 'br-t', sourceIp: CTR2_IP, targetIp: CTR_IP, ports: [{ port: 80, protocol: 'tcp' }] };
      await publisher.addLink(t.ctx, link);
      expect(await canConnect(ctr2, CTR_IP, 80)).to.equal(true);
      await publisher.removeLink(t.ctx, link);
      await publisher.removeLink(t.ctx, link);
      expect(await canConnect(ctr2, CTR_IP, 80, DROPPED)).to.equal(false);
    });

    it('isolates networks from each other but lets both reach the LAN', async () => {
      await addBridge(t.host, 'br-u', '10.250.3.1/24');
      const ctr3 = await attach(tn, t.host, 'ctr3', `${CTR3_IP}/24`, { bridge: 'br-u' }, '10.250.3.1');
      await startHttpServer(tn, t.ctr, { port: 80 });
      await startHttpServer(tn, ctr3, { port: 80 });
      await startWhoami(tn, t.lan, LAN_IP, 8090);
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.addNetwork(t.ctx, NETWORK2);
      const [isolated, egress] = await Promise.all([
        Promise.all([canConnect(ctr3, CTR_IP, 80, DROPPED), canConnect(t.ctr, CTR3_IP, 80, DROPPED)]),
        Promise.all([httpGet(t.ctr, `http://${LAN_IP}:8090/`), httpGet(ctr3, `http://${LAN_IP}:8090/`)]),
      ]);
      expect(isolated).to.deep.equal([false, false]);
      expect(egress.map((r) => r.body)).to.deep.equal([HOST_LAN_IP, HOST_LAN_IP]);
    });

    it('unpublish removes exactly what publish added; repeats change nothing', async () => {
      await startHttpServer(tn, t.ctr, { port: 80 });
      await publisher.addNetwork(t.ctx, NETWORK);
      const before = await options.owned(t.host);
      const bindings = [binding({}), binding({ hostIp: '127.0.0.1', hostPort: 8082 }), binding({ protocol: 'udp', hostPort: 5353, containerPort: 5353 })];
      await publisher.publish(t.ctx, bindings);
      const published = await options.owned(t.host);
      await publisher.publish(t.ctx, bindings);
      expect(await options.owned(t.host)).to.equal(published);
      await publisher.unpublish(t.ctx, bindings);
      expect(await options.owned(t.host)).to.equal(before);
      await publisher.unpublish(t.ctx, bindings);
      expect(await options.owned(t.host)).to.equal(before);
      expect(await canConnect(t.lan, HOST_LAN_IP, 8080, DROPPED)).to.equal(false);
    });

    it('addNetwork repeated is a no-op, and with changed settings refreshes in place', async () => {
      await publisher.addNetwork(t.ctx, NETWORK);
      const installed = await options.owned(t.host);
      await publisher.addNetwork(t.ctx, NETWORK);
      expect(await options.owned(t.host)).to.equal(installed);
      await publisher.addNetwork(t.ctx, { ...NETWORK, icc: false });
      expect(await options.owned(t.host)).to.not.equal(installed);
      await publisher.addNetwork(t.ctx, NETWORK);
      expect(await options.owned(t.host)).to.equal(installed);
    });

    it('leaves foreign rules alone and removes everything it made', async () => {
      await options.addForeignRules(t.host);
      const foreign = await options.foreignRules(t.host);
      const link: LinkRule = { containerId: CTR2_ID, bridge: 'br-t', sourceIp: CTR2_IP, targetIp: CTR_IP, ports: [{ port: 80, protocol: 'tcp' }] };
      await publisher.addNetwork(t.ctx, { ...NETWORK, icc: false });
      await publisher.publish(t.ctx, [binding({}), binding({ hostIp: '127.0.0.1', hostPort: 8082 })]);
      await publisher.addLink(t.ctx, link);
      expect(await options.foreignRules(t.host)).to.equal(foreign);
      await publisher.removeLink(t.ctx, link);
      await publisher.unpublish(t.ctx, [binding({}), binding({ hostIp: '127.0.0.1', hostPort: 8082 })]);
      await publisher.removeNetwork(t.ctx, NETWORK);
      await publisher.removeNetwork(t.ctx, NETWORK);
      await publisher.reset(t.ctx);
      await publisher.reset(t.ctx);
      expect(await options.owned(t.host)).to.equal('');
      expect(await options.foreignRules(t.host)).to.equal(foreign);
    });

    it('reset removes everything even while networks and ports are still installed', async () => {
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, [binding({})]);
      await publisher.reset(t.ctx);
      expect(await options.owned(t.host)).to.equal('');
    });

    it('reload brings everything back after the firewall was flushed', async () => {
      await startHttpServer(tn, t.ctr, { port: 80 });
      const ports = [binding({})];
      await publisher.addNetwork(t.ctx, NETWORK);
      await publisher.publish(t.ctx, ports);
      const installed = await options.owned(t.host);
      await options.flush(t.host);
      expect(await canConnect(t.lan, HOST_LAN_IP, 8080, DROPPED)).to.equal(false);
      await publisher.reload(t.ctx, { networks: [NETWORK], ports, links: [] });
      expect(await options.owned(t.host)).to.equal(installed);
      expect(await canConnect(t.lan, HOST_LAN_IP, 8080)).to.equal(true);
      await publisher.reload(t.ctx, { networks: [NETWORK], ports, links: [] });
      expect(await options.owned(t.host)).to.equal(installed);
    });

    it('describes its rules', async () => {
      await publisher.addNetwork(t.ctx, NETWORK);
      expect(await publisher.describe(t.ctx)).to.include('br-t');
    });
  });
}
