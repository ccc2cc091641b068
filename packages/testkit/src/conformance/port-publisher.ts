/**
 * `describePortPublisher`: the contract of a port-publishing backend, as a
 * mocha suite. Every check builds the topology of publisher-topology.ts and
 * sends real packets: from a LAN namespace and from the host's loopback to a
 * published port, from the container out through masquerade, and from the
 * LAN straight at a container address (which must fail); over IPv4, and
 * over IPv6 on a dual-stack network.
 */
import { expect } from 'chai';
import type { PortBinding, PortPublisher } from '@ctrnet/core';
import { useTestNamespaces } from '../namespaces.js';
import type { NetnsHandle } from '../netns.js';
import { canConnect, httpGet, udpRequest } from '../probes.js';
import { startHttpServer, startUdpEcho } from '../servers.js';
import { SUITE_TIMEOUT_MS, hostContext, registerPlugin, requireMocha } from './harness.js';
import { TOPOLOGY, TOPOLOGY6, addOtherNetwork, neighbourLink, publishedPort, publisherEnv, type PublisherEnv } from './publisher-topology.js';

export interface PortPublisherSuiteOptions {
  /** The plugin module's default export: it must register this publisher under its name. */
  plugin: unknown;
  /**
   * The backend's rules in `host` as text (e.g. `nft list ruleset`,
   * `iptables-save`), read inside the test's host namespace. After a
   * network's rules are removed, the text must not mention its bridge.
   */
  listRules(host: NetnsHandle): Promise<string>;
}

const HTTP_PORT = { host: 18080, container: 8080 };
const UDP_PORT = { host: 18081, container: 8081 };
/** A port the container listens on but nobody publishes. */
const UNPUBLISHED_PORT = 8083;

/** One check's world, with the TCP and UDP bindings the checks publish. */
interface PortsEnv extends PublisherEnv {
  bindings: PortBinding[];
}

/**
 * Define the conformance suite of a port publisher. Call it at the top
 * level of a mocha test file; it needs root (`*.integ.ts`). Checks are
 * skipped, with the probe's reason, where the backend reports itself unusable.
 *
 * @param name Suite title, e.g. the package name.
 * @param factory Returns a fresh publisher instance each call.
 */
export function describePortPublisher(name: string, factory: () => PortPublisher, options: PortPublisherSuiteOptions): void {
  requireMocha('describePortPublisher');

  describe(`${name}: port publisher conformance`, function () {
    this.timeout(SUITE_TIMEOUT_MS);
    const tn = useTestNamespaces();

    /** Topology, publisher, and its probe; skips the calling check when the backend is unusable here. */
    async function setUp(test: Mocha.Context, topology: { lanRoute?: boolean } = {}): Promise<PortsEnv> {
      const env = await publisherEnv(tn, test, name, factory, topology);
      const bindings = [
        publishedPort(env.network, HTTP_PORT.host, HTTP_PORT.container),
        publishedPort(env.network, UDP_PORT.host, UDP_PORT.container, { protocol: 'udp' }),
      ];
      return { ...env, bindings };
    }

    it('has a name, every method, and registers under its name through the Registry', async () => {
      const publisher = factory();
      expect(publisher.name, 'name').to.be.a('string').and.not.equal('');
      const methods = ['probe', 'addNetwork', 'removeNetwork', 'publish', 'unpublish', 'addLink', 'removeLink', 'reload', 'reset', 'describe'] as const;
      for (const method of methods) expect(publisher[method], method).to.be.a('function');
      expect(factory()).to.not.equal(factory());
      expect((await registerPlugin(options.plugin, name)).portPublisher(publisher.name).name).to.equal(publisher.name);
    });

    it('probes to { usable, reason }', async () => {
      const host = await tn.createHost();
      const result = await factory().probe(hostContext(host, name));
      expect(result.usable, 'usable').to.be.a('boolean');
      expect(result.reason, 'reason (shown by system info)').to.be.a('string').and.not.equal('');
    });

    it('treats removing and resetting what was never installed as a no-op', async function () {
      const env = await setUp(this);
      await env.publisher.removeNetwork(env.ctx, env.network);
      await env.publisher.unpublish(env.ctx, env.bindings);
      await env.publisher.removeLink(env.ctx, neighbourLink(env.network, HTTP_PORT.container));
      await env.publisher.reset(env.ctx);
      await env.publisher.reset(env.ctx);
    });

    it('publishes idempotently: a published port answers from the LAN and from 127.0.0.1', async function () {
      const env = await setUp(this);
      await installAndPublish(env);
      const body = `container port ${HTTP_PORT.container}`;
      await startHttpServer(tn, env.container, { port: HTTP_PORT.container, body });
      await startUdpEcho(tn, env.container, { port: UDP_PORT.container });
      expect(await httpGet(env.lan, `http://${TOPOLOGY.hostLanIp}:${HTTP_PORT.host}/`), 'TCP from the LAN').to.deep.equal({ status: 200, body });
      expect(await httpGet(env.host, `http://127.0.0.1:${HTTP_PORT.host}/`), 'TCP from the host loopback').to.deep.equal({ status: 200, body });
      expect(await udpRequest(env.lan, TOPOLOGY.hostLanIp, UDP_PORT.host, 'ping'), 'UDP from the LAN').to.equal('echo:ping');
      expect(await env.publisher.describe(env.ctx), 'describe()').to.be.a('string');
    });

    it('unpublishes idempotently: the port stops answering', async function () {
      const env = await setUp(this);
      await installAndPublish(env);
      await startHttpServer(tn, env.container, { port: HTTP_PORT.container });
      expect(await canConnect(env.lan, TOPOLOGY.hostLanIp, HTTP_PORT.host), 'published port before unpublish').to.equal(true);
      await env.publisher.unpublish(env.ctx, env.bindings);
      await env.publisher.unpublish(env.ctx, env.bindings);
      expect(await canConnect(env.lan, TOPOLOGY.hostLanIp, HTTP_PORT.host, { timeoutMs: 500 }), 'from the LAN after unpublish').to.equal(false);
      expect(await canConnect(env.host, '127.0.0.1', HTTP_PORT.host, { timeoutMs: 500 }), 'from 127.0.0.1 after unpublish').to.equal(false);
    });

    it('masquerades egress of the network (the LAN has no route back to the container subnet)', async function () {
      const env = await setUp(this);
      await env.publisher.addNetwork(env.ctx, env.network);
      await startHttpServer(tn, env.lan, { port: 8082, host: TOPOLOGY.lanIp, body: 'from the LAN' });
      expect(await httpGet(env.container, `http://${TOPOLOGY.lanIp}:8082/`)).to.deep.equal({ status: 200, body: 'from the LAN' });
    });

    it('keeps the LAN from reaching unpublished container ports by routing straight to the container', async function () {
      const env = await setUp(this, { lanRoute: true });
      await installAndPublish(env);
      await startHttpServer(tn, env.container, { port: HTTP_PORT.container });
      await startHttpServer(tn, env.container, { port: UNPUBLISHED_PORT });
      // The published port proves the LAN's packets get through at all.
      expect(await canConnect(env.lan, TOPOLOGY.hostLanIp, HTTP_PORT.host), 'published port').to.equal(true);
      expect(await canConnect(env.lan, TOPOLOGY.containerIp, UNPUBLISHED_PORT, { timeoutMs: 500 }), 'unpublished port by direct routing').to.equal(false);
    });

    it('opens and closes links idempotently', async function () {
      const env = await setUp(this);
      const link = neighbourLink(env.network, HTTP_PORT.container);
      await env.publisher.addNetwork(env.ctx, { ...env.network, icc: false });
      await env.publisher.addLink(env.ctx, link);
      await env.publisher.addLink(env.ctx, link);
      await env.publisher.removeLink(env.ctx, link);
      await env.publisher.removeLink(env.ctx, link);
    });

    it('reload re-creates the given state from scratch', async function () {
      const env = await setUp(this);
      await installAndPublish(env);
      await env.publisher.reset(env.ctx);
      const state = { networks: [env.network], ports: env.bindings, links: [] };
      await env.publisher.reload(env.ctx, state);
      await env.publisher.reload(env.ctx, state);
      await startHttpServer(tn, env.container, { port: HTTP_PORT.container });
      expect(await canConnect(env.lan, TOPOLOGY.hostLanIp, HTTP_PORT.host), 'published port after reload').to.equal(true);
    });

    it("check finds nothing missing right after install (both families, host-IP and UDP bindings, a DNS redirect), and names what a reset took", async function () {
      // ctrnetd's firewall guard re-applies everything whenever check reports a loss: a rule check cannot find as written makes it re-apply for ever.
      const env = await publisherEnv(tn, this, name, factory, { ipv6: true });
      const network = { ...env.network, dnsRedirect: 5353 };
      const v6 = { containerIp: TOPOLOGY6.containerIp };
      const bindings = [
        publishedPort(network, HTTP_PORT.host, HTTP_PORT.container),
        publishedPort(network, HTTP_PORT.host + 1, HTTP_PORT.container, { hostIp: TOPOLOGY.hostLanIp }),
        publishedPort(network, HTTP_PORT.host + 2, HTTP_PORT.container, { hostIp: '127.0.0.1' }),
        publishedPort(network, UDP_PORT.host, UDP_PORT.container, { protocol: 'udp' }),
        publishedPort(network, HTTP_PORT.host, HTTP_PORT.container, { hostIp: '::', ...v6 }),
        publishedPort(network, HTTP_PORT.host + 1, HTTP_PORT.container, { hostIp: TOPOLOGY6.hostLanIp, ...v6 }),
      ];
      const state = { networks: [network], ports: bindings, links: [neighbourLink(network, HTTP_PORT.container)] };
      await env.publisher.addNetwork(env.ctx, network);
      await env.publisher.publish(env.ctx, bindings);
      await env.publisher.addLink(env.ctx, state.links[0]!);
      expect(await env.publisher.check(env.ctx, state), 'check right after install').to.deep.equal([]);
      await env.publisher.reload(env.ctx, state);
      expect(await env.publisher.check(env.ctx, state), 'check right after reload').to.deep.equal([]);
      await env.publisher.reset(env.ctx);
      expect(await env.publisher.check(env.ctx, state), 'check after reset').to.not.deep.equal([]);
    });

    it('IPv6: publishes and unpublishes idempotently on a dual-stack network; removing it leaves nothing that mentions its bridge', async function () {
      const env = await publisherEnv(tn, this, name, factory, { ipv6: true });
      const bindings = [publishedPort(env.network, HTTP_PORT.host, HTTP_PORT.container, { hostIp: '::', containerIp: TOPOLOGY6.containerIp })];
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, bindings);
      await env.publisher.publish(env.ctx, bindings);
      await startHttpServer(tn, env.container, { port: HTTP_PORT.container, host: '::', body: 'over IPv6' });
      expect(await httpGet(env.lan, `http://[${TOPOLOGY6.hostLanIp}]:${HTTP_PORT.host}/`), 'TCP over IPv6 from the LAN').to.deep.equal({ status: 200, body: 'over IPv6' });
      await env.publisher.unpublish(env.ctx, bindings);
      await env.publisher.unpublish(env.ctx, bindings);
      expect(await canConnect(env.lan, TOPOLOGY6.hostLanIp, HTTP_PORT.host, { timeoutMs: 500 }), 'after unpublish').to.equal(false);
      await env.publisher.removeNetwork(env.ctx, env.network);
      await env.publisher.removeNetwork(env.ctx, env.network);
      expect(await options.listRules(env.host), 'listRules() after removeNetwork').to.not.contain(TOPOLOGY.bridge);
    });

    it("removeNetwork removes exactly that network's rules and reset the rest: nothing mentions their bridges afterwards", async function () {
      const env = await setUp(this);
      const o = TOPOLOGY.other;
      const other = (await addOtherNetwork(tn, env)).network;
      await installAndPublish(env);
      await env.publisher.addNetwork(env.ctx, other);
      const installed = await options.listRules(env.host);
      // Otherwise the "not mentioned" checks below would pass vacuously.
      expect(installed, 'listRules() while both networks are installed').to.contain(TOPOLOGY.bridge).and.contain(o.bridge);
      await env.publisher.unpublish(env.ctx, env.bindings);
      await env.publisher.removeNetwork(env.ctx, env.network);
      await env.publisher.removeNetwork(env.ctx, env.network);
      const afterRemove = await options.listRules(env.host);
      expect(afterRemove, 'listRules() after removeNetwork').to.not.contain(TOPOLOGY.bridge);
      expect(afterRemove, 'listRules() after removing the other network').to.contain(o.bridge);
      await env.publisher.reset(env.ctx);
      await env.publisher.reset(env.ctx);
      expect(await options.listRules(env.host), 'listRules() after reset').to.not.contain(o.bridge);
    });
  });
}

/** addNetwork and publish, each twice, as a repeated (crash-recovered) operation would. */
async function installAndPublish(env: PortsEnv): Promise<void> {
  await env.publisher.addNetwork(env.ctx, env.network);
  await env.publisher.addNetwork(env.ctx, env.network);
  await env.publisher.publish(env.ctx, env.bindings);
  await env.publisher.publish(env.ctx, env.bindings);
}
