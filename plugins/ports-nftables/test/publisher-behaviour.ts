/**
 * What every port publisher must do to real traffic, whatever its backend.
 * Each test builds its own small world of throwaway namespaces:
 *
 *   LAN ns (10.250.9.2) ──veth── host ns ──bridge br-t (10.250.1.1/24)──veth── container ns (10.250.1.2)
 *                      10.250.9.1       (ip_forward=1)
 *
 * and drives the publisher with a context whose commands run in the host
 * namespace. Nothing here depends on a network driver plugin or on the
 * backend's rule layout: only on the PortPublisher interface and on what
 * packets do. Traffic goes only to addresses inside these namespaces.
 */
import createDebug from 'debug';
import { expect } from 'chai';
import {
  ExecaExecutor,
  type ExecResult,
  type ExecTarget,
  type Executor,
  type IpBatchOptions,
  type IpCommand,
  type LinkRule,
  type NetworkRules,
  type PluginContext,
  type PortBinding,
  type PortPublisher,
  type Protocol,
  type RunOptions,
} from '@ctrnet/core';
import { canConnect, httpGet, startUdpEcho, udpRequest, useTestNamespaces, type NetnsHandle, type TestNamespaces } from '@ctrnet/testkit';

const debug = createDebug('ctrnet:test:publisher-behaviour');

export const BRIDGE = 'br-t';
export const SUBNET = '10.250.1.0/24';
export const GATEWAY = '10.250.1.1';
export const CONTAINER_IP = '10.250.1.2';
export const CONTAINER2_IP = '10.250.1.3';
export const HOST_LAN_IP = '10.250.9.1';
/** A second host address on the LAN side, for host-address bindings. */
export const HOST_LAN_IP2 = '10.250.9.3';
export const LAN_IP = '10.250.9.2';
/** A second network, on bridge br-u, with one container. */
export const BRIDGE2 = 'br-u';
export const SUBNET2 = '10.250.2.0/24';
export const GATEWAY2 = '10.250.2.1';
export const OTHER_NET_CONTAINER_IP = '10.250.2.2';

/** Dropped packets show up as timeouts; refusals are instant, so a short wait is enough. */
const BLOCKED_TIMEOUT_MS = 500;

/** Options for {@link describePublisherBehaviour}. */
export interface BehaviourOptions {
  /** What "another tool flushed the firewall" means for this backend; default `nft flush ruleset`. */
  flushFirewall?(host: NetnsHandle): Promise<void>;
}

/**
 * An executor that runs everything in the host namespace unless told
 * otherwise, and counts firewall transactions (nft scripts and
 * iptables-restore payloads).
 */
export class HostExecutor implements Executor {
  transactions = 0;

  constructor(
    private readonly netns: string,
    private readonly inner: Executor = new ExecaExecutor(),
  ) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    return this.inner.run(argv, { ...options, netns: options.netns ?? this.netns });
  }

  ip(commands: readonly IpCommand[], options: IpBatchOptions = {}): Promise<void> {
    return this.inner.ip(commands, { ...options, netns: options.netns ?? this.netns });
  }

  iptablesRestore(payload: string, options: ExecTarget & { family?: 4 | 6 } = {}): Promise<void> {
    this.transactions++;
    return this.inner.iptablesRestore(payload, { ...options, netns: options.netns ?? this.netns });
  }

  nft(script: string, options: ExecTarget = {}): Promise<void> {
    this.transactions++;
    return this.inner.nft(script, { ...options, netns: options.netns ?? this.netns });
  }
}

/** The namespaces of one test and a context that acts on the host one. */
export interface Topology {
  host: NetnsHandle;
  container: NetnsHandle;
  lan: NetnsHandle;
  exec: HostExecutor;
  ctx: PluginContext;
}

/** Builds the LAN / host / bridge / container world described at the top of this file. */
export async function buildTopology(tn: TestNamespaces): Promise<Topology> {
  const host = await tn.createHost();
  const container = await tn.create('ctr');
  const lan = await tn.create('lan');
  await ipBatch(host, [
    `link add ${BRIDGE} type bridge`,
    `addr add ${GATEWAY}/24 dev ${BRIDGE}`,
    `link set ${BRIDGE} up`,
    `link add vc0 type veth peer name eth0 netns ${container.path}`,
    `link set vc0 master ${BRIDGE} up`,
    // What a bridge driver does for proxy-less publishing (Docker too): with
    // br_netfilter, a container reaching its own published port is DNATed
    // and bridged back out of the port it came in on.
    `link set vc0 type bridge_slave hairpin on`,
    `link add vl0 type veth peer name eth0 netns ${lan.path}`,
    `addr add ${HOST_LAN_IP}/24 dev vl0`,
    `addr add ${HOST_LAN_IP2}/24 dev vl0`,
    `link set vl0 up`,
  ]);
  await ipBatch(container, [`addr add ${CONTAINER_IP}/24 dev eth0`, 'link set eth0 up', `route add default via ${GATEWAY}`]);
  await ipBatch(lan, [`addr add ${LAN_IP}/24 dev eth0`, 'link set eth0 up']);
  const exec = new HostExecutor(host.path);
  return { host, container, lan, exec, ctx: { exec, log: debug } };
}

/** A second container on the same bridge. */
export async function addSecondContainer(tn: TestNamespaces, topo: Topology): Promise<NetnsHandle> {
  const c2 = await tn.create('ctr2');
  await ipBatch(topo.host, [`link add vc1 type veth peer name eth0 netns ${c2.path}`, `link set vc1 master ${BRIDGE} up`, `link set vc1 type bridge_slave hairpin on`]);
  await ipBatch(c2, [`addr add ${CONTAINER2_IP}/24 dev eth0`, 'link set eth0 up', `route add default via ${GATEWAY}`]);
  return c2;
}

/** A second network (bridge br-u) with one container; returns the container's namespace. */
export async function addSecondNetwork(tn: TestNamespaces, topo: Topology): Promise<NetnsHandle> {
  const c3 = await tn.create('ctr3');
  await ipBatch(topo.host, [
    `link add ${BRIDGE2} type bridge`,
    `addr add ${GATEWAY2}/24 dev ${BRIDGE2}`,
    `link set ${BRIDGE2} up`,
    `link add vc2 type veth peer name eth0 netns ${c3.path}`,
    `link set vc2 master ${BRIDGE2} up`,
  ]);
  await ipBatch(c3, [`addr add ${OTHER_NET_CONTAINER_IP}/24 dev eth0`, 'link set eth0 up', `route add default via ${GATEWAY2}`]);
  return c3;
}

export function networkRules(overrides: Partial<NetworkRules> = {}): NetworkRules {
  return { networkId: 'n'.repeat(64), bridge: BRIDGE, subnet: SUBNET, gateway: GATEWAY, internal: false, icc: true, masquerade: true, ...overrides };
}

export function binding(hostPort: number, overrides: Partial<PortBinding> = {}): PortBinding {
  return {
    containerId: 'c'.repeat(64),
    networkId: 'n'.repeat(64),
    bridge: BRIDGE,
    protocol: 'tcp' as Protocol,
    hostIp: '0.0.0.0',
    hostPort,
    containerIp: CONTAINER_IP,
    containerPort: 80,
    ...overrides,
  };
}

/**
 * Starts an HTTP server in `ns` that answers with the client's address as
 * it sees it: how the tests tell a masqueraded connection from one that
 * kept its source.
 */
export async function startAddressEcho(tn: TestNamespaces, ns: NetnsHandle, port: number): Promise<void> {
  const script = `
const [port] = process.argv.slice(1);
const server = require('node:http').createServer((req, res) => res.end(req.socket.remoteAddress));
server.on('error', (e) => { console.error(e.message); process.exit(1); });
process.on('SIGTERM', () => process.exit(0));
server.listen(Number(port), '0.0.0.0', () => console.log('address-echo:listening'));
`;
  const proc = tn.spawn(ns, [process.execPath, '-e', script, '--', String(port)]);
  await proc.waitForOutput('address-echo:listening', 10_000);
}

/** The client address the server at `url` saw, fetched from inside `ns`. */
export async function seenAs(ns: NetnsHandle, url: string): Promise<string> {
  const res = await httpGet(ns, url);
  expect(res.status, `GET ${url}`).to.equal(200);
  return res.body;
}

export function blocked(ns: NetnsHandle, host: string, port: number): Promise<boolean> {
  return canConnect(ns, host, port, { timeoutMs: BLOCKED_TIMEOUT_MS }).then((open) => !open);
}

async function ipBatch(ns: NetnsHandle, lines: readonly string[]): Promise<void> {
  await ns.exec(['ip', '-batch', '-'], { input: lines.join('\n') + '\n' });
}

async function rulesetText(host: NetnsHandle): Promise<string> {
  return (await host.exec(['nft', 'list', 'ruleset'])).stdout;
}

/**
 * The shared behavioural suite. `factory` makes a fresh publisher per test;
 * the suite is named `name`.
 */
export function describePublisherBehaviour(name: string, factory: () => PortPublisher, options: BehaviourOptions = {}): void {
  const flushFirewall = options.flushFirewall ?? (async (host: NetnsHandle) => void (await host.exec(['nft', 'flush', 'ruleset'])));

  describe(`port publisher behaviour: ${name}`, function () {
    this.timeout(60_000);
    const tn = useTestNamespaces();

    it('probes usable in a fresh namespace', async () => {
      const { ctx } = await buildTopology(tn);
      const result = await factory().probe(ctx);
      expect(result.usable, result.reason).to.equal(true);
      expect(result.reason).to.be.a('string').and.not.be.empty;
    });

    it('answers a published port from the LAN (keeping the client address), the host, localhost and a hairpinning container', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await p.addNetwork(topo.ctx, networkRules());
      await p.publish(topo.ctx, [binding(8080)]);

      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
      await seenAs(topo.host, `http://${HOST_LAN_IP}:8080/`);
      // Localhost and hairpin only work when masqueraded to the bridge address.
      expect(await seenAs(topo.host, 'http://127.0.0.1:8080/')).to.equal(GATEWAY);
      expect(await seenAs(topo.container, `http://${HOST_LAN_IP}:8080/`)).to.equal(GATEWAY);
      expect(await seenAs(topo.container, `http://${GATEWAY}:8080/`)).to.equal(GATEWAY);
    });

    it('answers a port published on one host address only on that address', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await p.addNetwork(topo.ctx, networkRules());
      await p.publish(topo.ctx, [binding(8081, { hostIp: HOST_LAN_IP }), binding(8082, { hostIp: '127.0.0.1' })]);

      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8081/`)).to.equal(LAN_IP);
      expect(await blocked(topo.lan, HOST_LAN_IP2, 8081)).to.equal(true);
      expect(await blocked(topo.host, '127.0.0.1', 8081)).to.equal(true);
      expect(await seenAs(topo.host, 'http://127.0.0.1:8082/')).to.equal(GATEWAY);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8082)).to.equal(true);
      expect(await blocked(topo.host, HOST_LAN_IP, 8082)).to.equal(true);
    });

    it('publishes UDP', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startUdpEcho(tn, topo.container, { port: 5353 });
      await p.addNetwork(topo.ctx, networkRules());
      await p.publish(topo.ctx, [binding(5353, { protocol: 'udp', containerPort: 5353 })]);

      expect(await udpRequest(topo.lan, HOST_LAN_IP, 5353, 'ping')).to.equal('echo:ping');
      expect(await udpRequest(topo.host, '127.0.0.1', 5353, 'ping')).to.equal('echo:ping');
      expect(await udpRequest(topo.lan, HOST_LAN_IP, 5354, 'ping', { timeoutMs: BLOCKED_TIMEOUT_MS })).to.equal(undefined);
    });

    it('masquerades container egress, and not with masquerade off', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.lan, 7000);
      await p.addNetwork(topo.ctx, networkRules());
      expect(await seenAs(topo.container, `http://${LAN_IP}:7000/`)).to.equal(HOST_LAN_IP);

      // With masquerade off the LAN has no route back, so nothing answers.
      await p.removeNetwork(topo.ctx, networkRules());
      await p.addNetwork(topo.ctx, networkRules({ masquerade: false }));
      expect(await blocked(topo.container, LAN_IP, 7000)).to.equal(true);
    });

    it('drops packets routed straight to a container from outside its bridge; the host itself still reaches it', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await topo.lan.exec(['ip', 'route', 'add', SUBNET, 'via', HOST_LAN_IP]);
      // Control: without ctrnet's rules the LAN routes straight in.
      expect(await seenAs(topo.lan, `http://${CONTAINER_IP}:80/`)).to.equal(LAN_IP);

      await p.addNetwork(topo.ctx, networkRules());
      await p.publish(topo.ctx, [binding(8080)]);
      expect(await blocked(topo.lan, CONTAINER_IP, 80)).to.equal(true);
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
      await seenAs(topo.host, `http://${CONTAINER_IP}:80/`);
    });

    it('isolates networks from each other, while containers still reach published ports of other networks', async () => {
      const topo = await buildTopology(tn);
      const c3 = await addSecondNetwork(tn, topo);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await startAddressEcho(tn, c3, 80);
      // Control: with forwarding on and no rules, the two networks route to each other.
      expect(await seenAs(c3, `http://${CONTAINER_IP}:80/`)).to.equal(OTHER_NET_CONTAINER_IP);

      await p.addNetwork(topo.ctx, networkRules());
      await p.addNetwork(topo.ctx, networkRules({ networkId: 'm'.repeat(64), bridge: BRIDGE2, subnet: SUBNET2, gateway: GATEWAY2 }));
      await p.publish(topo.ctx, [binding(8080)]);
      expect(await blocked(c3, CONTAINER_IP, 80)).to.equal(true);
      expect(await blocked(topo.container, OTHER_NET_CONTAINER_IP, 80)).to.equal(true);
      // A published port is published on the host's addresses, for every client that is not internal.
      await seenAs(c3, `http://${HOST_LAN_IP}:8080/`);

      // Removing one network leaves the other's rules in place.
      await p.removeNetwork(topo.ctx, networkRules({ networkId: 'm'.repeat(64), bridge: BRIDGE2, subnet: SUBNET2, gateway: GATEWAY2 }));
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
      expect(await seenAs(topo.container, `http://${HOST_LAN_IP}:8080/`)).to.equal(GATEWAY);
    });

    it('unpublishes exactly the given bindings, idempotently', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await p.addNetwork(topo.ctx, networkRules());
      await p.publish(topo.ctx, [binding(8080), binding(8081), binding(8082, { hostIp: HOST_LAN_IP })]);

      await p.unpublish(topo.ctx, [binding(8080), binding(8082, { hostIp: HOST_LAN_IP })]);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8080)).to.equal(true);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8082)).to.equal(true);
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8081/`)).to.equal(LAN_IP);

      await p.unpublish(topo.ctx, [binding(8080)]);
      await p.unpublish(topo.ctx, [binding(8081)]);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8081)).to.equal(true);
      // Publishing again after a removal works.
      await p.publish(topo.ctx, [binding(8080)]);
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
    });

    it('keeps internal networks internal: no egress, no masquerade, no published ports', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await startAddressEcho(tn, topo.lan, 7000);
      await p.addNetwork(topo.ctx, networkRules({ internal: true }));
      await p.publish(topo.ctx, [binding(8080)]);

      expect(await blocked(topo.container, LAN_IP, 7000)).to.equal(true);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8080)).to.equal(true);
      expect(await blocked(topo.host, '127.0.0.1', 8080)).to.equal(true);
      expect(await blocked(topo.host, HOST_LAN_IP, 8080)).to.equal(true);
    });

    it('with ICC off, isolates containers on the bridge except for links', async function () {
      const topo = await buildTopology(tn);
      const bridgeNf = await topo.host.exec(['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1'], { reject: false });
      // Same-bridge traffic only meets IP hooks through br_netfilter, which we do not load for the host.
      if (bridgeNf.exitCode !== 0) this.skip();
      const c2 = await addSecondContainer(tn, topo);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await p.addNetwork(topo.ctx, networkRules({ icc: true }));
      expect(await seenAs(c2, `http://${CONTAINER_IP}:80/`)).to.equal(CONTAINER2_IP);

      await p.removeNetwork(topo.ctx, networkRules({ icc: true }));
      await p.addNetwork(topo.ctx, networkRules({ icc: false }));
      expect(await blocked(c2, CONTAINER_IP, 80)).to.equal(true);

      const link: LinkRule = { containerId: 'd'.repeat(64), bridge: BRIDGE, sourceIp: CONTAINER2_IP, targetIp: CONTAINER_IP, ports: [{ port: 80, protocol: 'tcp' }] };
      await p.addLink(topo.ctx, link);
      expect(await seenAs(c2, `http://${CONTAINER_IP}:80/`)).to.equal(CONTAINER2_IP);
      // The link is one-way.
      await startAddressEcho(tn, c2, 80);
      expect(await blocked(topo.container, CONTAINER2_IP, 80)).to.equal(true);

      await p.removeLink(topo.ctx, link);
      await p.removeLink(topo.ctx, link);
      expect(await blocked(c2, CONTAINER_IP, 80)).to.equal(true);
    });

    it('rebuilds everything with reload after another tool flushed the firewall', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await startAddressEcho(tn, topo.lan, 7000);
      const network = networkRules();
      const ports = [binding(8080), binding(8081)];
      await p.addNetwork(topo.ctx, network);
      await p.publish(topo.ctx, ports);

      await flushFirewall(topo.host);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8080)).to.equal(true);

      await p.reload(topo.ctx, { networks: [network], ports: [ports[0]!], links: [] });
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
      expect(await seenAs(topo.host, 'http://127.0.0.1:8080/')).to.equal(GATEWAY);
      expect(await seenAs(topo.container, `http://${LAN_IP}:7000/`)).to.equal(HOST_LAN_IP);
      expect(await blocked(topo.lan, HOST_LAN_IP, 8081)).to.equal(true);
      // A reload of an intact installation is also fine, and drops what the state no longer has.
      await p.publish(topo.ctx, [ports[1]!]);
      await p.reload(topo.ctx, { networks: [network], ports: [ports[0]!], links: [] });
      expect(await blocked(topo.lan, HOST_LAN_IP, 8081)).to.equal(true);
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
    });

    it('leaves foreign tables and rules alone, and removeNetwork + reset leave nothing of ctrnet', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await topo.host.exec(['nft', '-f', '-'], {
        input: 'table inet foreign {\n  chain filter-forward {\n    type filter hook forward priority 10; policy accept;\n    ip saddr 192.0.2.1 drop\n  }\n}\n',
      });
      await topo.host.exec(['iptables', '-w', '-A', 'FORWARD', '-s', '192.0.2.2', '-j', 'DROP']);
      const foreign = async (): Promise<string[]> => [
        (await topo.host.exec(['nft', 'list', 'table', 'inet', 'foreign'])).stdout,
        (await topo.host.exec(['iptables', '-w', '-S', 'FORWARD'])).stdout.split('\n').filter((l) => l.includes('192.0.2.2')).join('\n'),
      ];
      const before = await foreign();

      const network = networkRules();
      const link: LinkRule = { containerId: 'd'.repeat(64), bridge: BRIDGE, sourceIp: CONTAINER2_IP, targetIp: CONTAINER_IP, ports: [{ port: 80, protocol: 'tcp' }] };
      await p.addNetwork(topo.ctx, network);
      await p.publish(topo.ctx, [binding(8080), binding(8081, { protocol: 'udp' })]);
      await p.addLink(topo.ctx, link);
      await p.reload(topo.ctx, { networks: [network], ports: [binding(8080)], links: [link] });
      expect(await p.describe(topo.ctx)).to.be.a('string').and.not.be.empty;
      expect(await foreign()).to.deep.equal(before);

      await p.unpublish(topo.ctx, [binding(8080), binding(8081, { protocol: 'udp' })]);
      await p.removeLink(topo.ctx, link);
      await p.removeNetwork(topo.ctx, network);
      await p.removeNetwork(topo.ctx, network);
      await p.reset(topo.ctx);
      await p.reset(topo.ctx);
      expect(await foreign()).to.deep.equal(before);
      expect(await rulesetText(topo.host)).not.to.match(/ctrnet/i);
    });

    it('treats every teardown as done when nothing was ever installed', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      const link: LinkRule = { containerId: 'd'.repeat(64), bridge: BRIDGE, sourceIp: CONTAINER2_IP, targetIp: CONTAINER_IP, ports: [{ port: 80, protocol: 'tcp' }] };
      await p.unpublish(topo.ctx, [binding(8080)]);
      await p.removeLink(topo.ctx, link);
      await p.removeNetwork(topo.ctx, networkRules());
      await p.reset(topo.ctx);
      expect(await p.describe(topo.ctx)).to.be.a('string');
      expect(await rulesetText(topo.host)).not.to.match(/ctrnet/i);
    });

    it('publishes and unpublishes 1,000 ports in one transaction each', async () => {
      const topo = await buildTopology(tn);
      const p = factory();
      await startAddressEcho(tn, topo.container, 80);
      await p.addNetwork(topo.ctx, networkRules());
      const ports = Array.from({ length: 1000 }, (_, i) => binding(20000 + i));
      const timed = async (fn: () => Promise<void>): Promise<number> => {
        const start = performance.now();
        await fn();
        return performance.now() - start;
      };
      const oneBefore = await timed(() => p.publish(topo.ctx, [binding(19999)]));

      const before = topo.exec.transactions;
      const publishMs = await timed(() => p.publish(topo.ctx, ports));
      expect(topo.exec.transactions - before).to.equal(1);
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:20000/`)).to.equal(LAN_IP);
      expect(await seenAs(topo.lan, `http://${HOST_LAN_IP}:20999/`)).to.equal(LAN_IP);

      // Informational only: with 1,000 ports in place, one more should cost what the first did.
      const oneAfter = await timed(() => p.publish(topo.ctx, [binding(21000)]));

      const unpublishMs = await timed(() => p.unpublish(topo.ctx, ports));
      expect(topo.exec.transactions - before).to.equal(3);
      expect(await blocked(topo.lan, HOST_LAN_IP, 20500)).to.equal(true);
      console.log(
        `      [${name}] publish 1000 ports: ${publishMs.toFixed(1)} ms, unpublish: ${unpublishMs.toFixed(1)} ms; ` +
          `one port with 0 published: ${oneBefore.toFixed(1)} ms, with 1001: ${oneAfter.toFixed(1)} ms`,
      );
    });
  });
}
