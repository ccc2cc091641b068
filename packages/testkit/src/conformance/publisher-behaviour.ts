/**
 * `describePublisherBehaviour`: what a port publisher must do to real
 * traffic and to the firewall, whatever its backend. Where
 * describePortPublisher checks the contract's shape, this suite goes
 * through Docker's networking behaviour one case at a time: every way of
 * reaching a published port, HOST_IP bindings, UDP, masquerade, the
 * direct-routing guard, ICC and links, network isolation, internal
 * networks, and the firewall itself (exact removal, foreign rules, reload
 * after a flush, reset). It builds the topology of publisher-topology.ts
 * and sends packets only between its namespaces; the backend's firewall
 * is read and disturbed only through the hooks its author provides.
 */
import { expect } from 'chai';
import type { FirewallState, PortPublisher } from '@ctrnet/core';
import { useTestNamespaces } from '../namespaces.js';
import type { NetnsHandle } from '../netns.js';
import { canConnect, udpRequest } from '../probes.js';
import { startAddressEcho, startHttpServer, startUdpEcho } from '../servers.js';
import { SUITE_TIMEOUT_MS, hostContext, requireMocha } from './harness.js';
import { defineIpv6Behaviour } from './publisher-behaviour6.js';
import { BLOCKED_TIMEOUT_MS, expectBlocked, seenAs } from './publisher-probes.js';
import { NEIGHBOUR_ID, TOPOLOGY, addNeighbour, addOtherNetwork, neighbourLink, publishedPort, publisherEnv, type OtherNetwork, type PublisherEnv, type TopologyOptions } from './publisher-topology.js';

/** How the suite reads and disturbs the backend's firewall in the test's host namespace. */
export interface PublisherBehaviourOptions {
  /**
   * Everything the backend owns in `host` as text: the same for the same
   * state (no counters, handles or element order), and '' when it owns
   * nothing. Compared before and after to prove exact removal.
   */
  owned(host: NetnsHandle): Promise<string>;
  /** Throws the backend's rules away as another tool would (`nft flush ruleset`, `iptables -F`), for the reload check. */
  flush(host: NetnsHandle): Promise<void>;
  /** Installs firewall state that belongs to someone else (another table, a Docker-like chain). */
  addForeignRules(host: NetnsHandle): Promise<void>;
  /** That foreign state as stable text; it must not change while the publisher works. */
  foreignRules(host: NetnsHandle): Promise<string>;
}

const T = TOPOLOGY;
/** The container port every check's server listens on. */
const HTTP = 80;

/**
 * Define the behaviour suite of a port publisher. Call it at the top level
 * of a mocha test file; it needs root (`*.integ.ts`). The first check fails
 * with the probe's reason where the backend is unusable here; the others
 * are then skipped.
 *
 * @param name Suite title, e.g. the backend's name.
 * @param factory Returns a fresh publisher instance each call.
 */
export function describePublisherBehaviour(name: string, factory: () => PortPublisher, options: PublisherBehaviourOptions): void {
  requireMocha('describePublisherBehaviour');

  describe(`${name}: port publisher behaviour`, function () {
    this.timeout(SUITE_TIMEOUT_MS);
    const tn = useTestNamespaces();
    const setUp = (test: Mocha.Context, topology: TopologyOptions = {}): Promise<PublisherEnv> => publisherEnv(tn, test, name, factory, topology);

    /** The topology with the other network, address echoes on port 80 of both containers and on port 7000 of the LAN. */
    async function setUpTwoNetworks(test: Mocha.Context): Promise<{ env: PublisherEnv; other: OtherNetwork }> {
      const env = await setUp(test);
      const other = await addOtherNetwork(tn, env);
      await startAddressEcho(tn, env.container, { port: HTTP });
      await startAddressEcho(tn, other.container, { port: HTTP });
      await startAddressEcho(tn, env.lan, { port: 7000 });
      return { env, other };
    }

    it('probes usable here', async () => {
      const host = await tn.createHost();
      const result = await factory().probe(hostContext(host, name));
      expect(result.usable, result.reason).to.equal(true);
    });

    it('answers a published port from the LAN (keeping the client address), from the host at its own addresses and 127.0.0.1, and from containers through a host address (hairpin)', async function () {
      const env = await setUp(this);
      const neighbour = await addNeighbour(tn, env);
      await startAddressEcho(tn, env.container, { port: HTTP });
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8080, HTTP)]);
      const seen = await Promise.all([
        seenAs(env.lan, T.hostLanIp, 8080),
        seenAs(env.host, T.hostLanIp, 8080),
        seenAs(env.host, T.gateway, 8080),
        seenAs(env.host, '127.0.0.1', 8080),
        seenAs(env.container, T.hostLanIp, 8080),
        seenAs(env.container, T.gateway, 8080),
        seenAs(neighbour, T.hostLanIp, 8080),
      ]);
      expect(seen[0], 'from the LAN').to.equal(T.lanIp);
      // Localhost and hairpin only work when masqueraded to the bridge address.
      expect(seen[3], 'from 127.0.0.1').to.equal(T.gateway);
      expect(seen.slice(4, 6), 'from the container itself').to.deep.equal([T.gateway, T.gateway]);
    });

    it('answers a port bound to one host address (HOST_IP, 127.0.0.1) on that address only', async function () {
      const env = await setUp(this);
      await startAddressEcho(tn, env.container, { port: HTTP });
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8081, HTTP, { hostIp: T.hostLanIp }), publishedPort(env.network, 8082, HTTP, { hostIp: '127.0.0.1' })]);
      expect(await seenAs(env.lan, T.hostLanIp, 8081), `${T.hostLanIp}:8081 from the LAN`).to.equal(T.lanIp);
      expect(await seenAs(env.host, '127.0.0.1', 8082), '127.0.0.1:8082 from the host').to.equal(T.gateway);
      expect(await canConnect(env.host, T.hostLanIp, 8081), `${T.hostLanIp}:8081 from the host`).to.equal(true);
      await expectBlocked(
        'the other host addresses',
        [env.lan, T.hostLanIp2, 8081],
        [env.host, '127.0.0.1', 8081],
        [env.host, T.gateway, 8081],
        [env.lan, T.hostLanIp, 8082],
        [env.host, T.hostLanIp, 8082],
      );
    });

    it('publishes UDP', async function () {
      const env = await setUp(this);
      await startUdpEcho(tn, env.container, { port: 5353 });
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 5353, 5353, { protocol: 'udp' })]);
      expect(await udpRequest(env.lan, T.hostLanIp, 5353, 'ping'), 'from the LAN').to.equal('echo:ping');
      expect(await udpRequest(env.host, '127.0.0.1', 5353, 'local'), 'from 127.0.0.1').to.equal('echo:local');
      expect(await udpRequest(env.lan, T.hostLanIp, 5354, 'ping', { timeoutMs: BLOCKED_TIMEOUT_MS }), 'an unpublished port').to.equal(undefined);
    });

    it('masquerades container egress to the host address, and not with masquerade off', async function () {
      const env = await setUp(this);
      await startAddressEcho(tn, env.lan, { port: 7000 });
      await env.publisher.addNetwork(env.ctx, env.network);
      expect(await seenAs(env.container, T.lanIp, 7000)).to.equal(T.hostLanIp);
      // With masquerade off the LAN has no route back, so nothing answers.
      await env.publisher.removeNetwork(env.ctx, env.network);
      await env.publisher.addNetwork(env.ctx, { ...env.network, masquerade: false });
      await expectBlocked('egress with masquerade off', [env.container, T.lanIp, 7000]);
    });

    it('drops traffic routed straight to a container address, published port or not; the host itself still reaches the container', async function () {
      const env = await setUp(this, { lanRoute: true });
      await startAddressEcho(tn, env.container, { port: HTTP });
      await startHttpServer(tn, env.container, { port: HTTP + 1 });
      // Control: without the publisher's rules the LAN routes straight in.
      expect(await seenAs(env.lan, T.containerIp, HTTP), 'direct routing before addNetwork').to.equal(T.lanIp);
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8080, HTTP)]);
      await expectBlocked('the LAN routing straight to a published and an unpublished container port', [env.lan, T.containerIp, HTTP], [env.lan, T.containerIp, HTTP + 1]);
      expect(await seenAs(env.lan, T.hostLanIp, 8080), 'the same port published on the host').to.equal(T.lanIp);
      await seenAs(env.host, T.containerIp, HTTP);
    });

    it('isolates networks from each other; both reach the LAN, each reaches the other\'s published ports through a host address, and removing one leaves the other working', async function () {
      const { env, other } = await setUpTwoNetworks(this);
      // Control: with forwarding on and no rules, the two networks route to each other.
      expect(await seenAs(other.container, T.containerIp, HTTP), 'across networks before addNetwork').to.equal(T.other.containerIp);
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.addNetwork(env.ctx, other.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8080, HTTP)]);
      await expectBlocked('each network from the other', [other.container, T.containerIp, HTTP], [env.container, T.other.containerIp, HTTP]);
      const egress = await Promise.all([seenAs(env.container, T.lanIp, 7000), seenAs(other.container, T.lanIp, 7000)]);
      expect(egress, 'both to the LAN').to.deep.equal([T.hostLanIp, T.hostLanIp]);
      await seenAs(other.container, T.hostLanIp, 8080);

      await env.publisher.removeNetwork(env.ctx, other.network);
      expect(await seenAs(env.lan, T.hostLanIp, 8080), 'from the LAN after removing the other network').to.equal(T.lanIp);
      expect(await seenAs(env.container, T.hostLanIp, 8080), 'hairpin after removing the other network').to.equal(T.gateway);
    });

    it("keeps an internal network internal: no egress, not even to another network's published port, and its own published ports unreachable", async function () {
      const { env, other } = await setUpTwoNetworks(this);
      await env.publisher.addNetwork(env.ctx, { ...env.network, internal: true });
      await env.publisher.addNetwork(env.ctx, other.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8080, HTTP), publishedPort(other.network, 8090, HTTP, { containerIp: T.other.containerIp })]);
      // Control: the other network's port is published.
      expect(await canConnect(env.lan, T.hostLanIp, 8090), "the other network's port from the LAN").to.equal(true);
      await expectBlocked(
        "egress to the LAN and to the other network's port; the internal network's port from the LAN, 127.0.0.1 and the host address",
        [env.container, T.lanIp, 7000],
        [env.container, T.hostLanIp, 8090],
        [env.lan, T.hostLanIp, 8080],
        [env.host, '127.0.0.1', 8080],
        [env.host, T.hostLanIp, 8080],
      );
    });

    it('with ICC off isolates containers on one bridge, and a link opens exactly the exposed port, one way', async function () {
      const env = await setUp(this);
      // Same-bridge traffic meets IP hooks only through br_netfilter (bridge-nf-call-iptables=1), as Docker needs for icc=false too.
      const bridgeNf = await env.host.exec(['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1'], { reject: false });
      if (bridgeNf.exitCode !== 0) {
        process.stderr.write(`[ctrnet conformance] br_netfilter is not available (${bridgeNf.stderr.trim()}); skipping the ICC check\n`);
        this.skip();
      }
      const neighbour = await addNeighbour(tn, env);
      await startAddressEcho(tn, env.container, { port: HTTP });
      await startAddressEcho(tn, neighbour, { port: HTTP });
      await env.publisher.addNetwork(env.ctx, env.network);
      expect(await seenAs(neighbour, T.containerIp, HTTP), 'with ICC on').to.equal(T.neighbourIp);
      await env.publisher.removeNetwork(env.ctx, env.network);
      await env.publisher.addNetwork(env.ctx, { ...env.network, icc: false });
      await expectBlocked('with ICC off', [neighbour, T.containerIp, HTTP]);

      const link = neighbourLink(env.network, HTTP);
      await env.publisher.addLink(env.ctx, link);
      expect(await seenAs(neighbour, T.containerIp, HTTP), 'over the link').to.equal(T.neighbourIp);
      await expectBlocked('against the link', [env.container, T.neighbourIp, HTTP]);
      await env.publisher.removeLink(env.ctx, link);
      await env.publisher.removeLink(env.ctx, link);
      await expectBlocked('after removeLink', [neighbour, T.containerIp, HTTP]);
    });

    it("unpublish removes exactly a container's ports and removeNetwork exactly a network's rules; repeats change nothing", async function () {
      const env = await setUp(this);
      const neighbour = await addNeighbour(tn, env);
      const other = await addOtherNetwork(tn, env);
      await startHttpServer(tn, env.container, { port: HTTP });
      await startHttpServer(tn, neighbour, { port: HTTP });
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8090, HTTP, { containerId: NEIGHBOUR_ID, containerIp: T.neighbourIp })]);
      const before = await options.owned(env.host);
      const ports = [publishedPort(env.network, 8080, HTTP), publishedPort(env.network, 8082, HTTP, { hostIp: '127.0.0.1' }), publishedPort(env.network, 5353, 5353, { protocol: 'udp' })];
      await env.publisher.publish(env.ctx, ports);
      const published = await options.owned(env.host);
      await env.publisher.publish(env.ctx, ports);
      expect(await options.owned(env.host), 'after publishing again').to.equal(published);
      await env.publisher.unpublish(env.ctx, ports);
      expect(await options.owned(env.host), 'after unpublish').to.equal(before);
      await env.publisher.unpublish(env.ctx, ports);
      expect(await options.owned(env.host), 'after unpublishing again').to.equal(before);
      await expectBlocked('an unpublished port', [env.lan, T.hostLanIp, 8080]);
      expect(await canConnect(env.lan, T.hostLanIp, 8090), "the neighbour's port").to.equal(true);

      await env.publisher.addNetwork(env.ctx, other.network);
      expect(await options.owned(env.host), 'with another network').to.not.equal(before);
      await env.publisher.removeNetwork(env.ctx, other.network);
      expect(await options.owned(env.host), 'after adding and removing another network').to.equal(before);
      await env.publisher.removeNetwork(env.ctx, other.network);
      expect(await options.owned(env.host), 'after removing it again').to.equal(before);
    });

    it('refreshes a network in place: addNetwork again is a no-op, with changed settings it swaps them', async function () {
      const env = await setUp(this);
      await env.publisher.addNetwork(env.ctx, env.network);
      const installed = await options.owned(env.host);
      await env.publisher.addNetwork(env.ctx, env.network);
      expect(await options.owned(env.host), 'the same settings again').to.equal(installed);
      await env.publisher.addNetwork(env.ctx, { ...env.network, icc: false });
      expect(await options.owned(env.host), 'with ICC off').to.not.equal(installed);
      await env.publisher.addNetwork(env.ctx, env.network);
      expect(await options.owned(env.host), 'back to the first settings').to.equal(installed);
    });

    it('reload after another tool flushed the firewall restores forwarding, and drops what the state no longer has', async function () {
      const env = await setUp(this);
      await startAddressEcho(tn, env.container, { port: HTTP });
      await startAddressEcho(tn, env.lan, { port: 7000 });
      const state: FirewallState = { networks: [env.network], ports: [publishedPort(env.network, 8080, HTTP)], links: [] };
      const stale = publishedPort(env.network, 8081, HTTP);
      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, state.ports);
      const installed = await options.owned(env.host);
      await env.publisher.publish(env.ctx, [stale]);

      await options.flush(env.host);
      await expectBlocked('after the flush', [env.lan, T.hostLanIp, 8080]);
      await env.publisher.reload(env.ctx, state);
      expect(await options.owned(env.host), 'after reload').to.equal(installed);
      expect(await seenAs(env.lan, T.hostLanIp, 8080), 'from the LAN').to.equal(T.lanIp);
      expect(await seenAs(env.host, '127.0.0.1', 8080), 'from 127.0.0.1').to.equal(T.gateway);
      expect(await seenAs(env.container, T.lanIp, 7000), 'egress').to.equal(T.hostLanIp);
      await expectBlocked('a port the state no longer has', [env.lan, T.hostLanIp, 8081]);

      // Reloading an intact installation is fine too, and also drops what the state no longer has.
      await env.publisher.publish(env.ctx, [stale]);
      await env.publisher.reload(env.ctx, state);
      expect(await options.owned(env.host), 'after reloading an intact installation').to.equal(installed);
      expect(await seenAs(env.lan, T.hostLanIp, 8080), 'from the LAN after the second reload').to.equal(T.lanIp);
    });

    it('leaves foreign rules alone and, after removing everything and reset, owns nothing', async function () {
      const env = await setUp(this);
      await options.addForeignRules(env.host);
      const foreign = await options.foreignRules(env.host);
      const network = { ...env.network, icc: false };
      const ports = [publishedPort(env.network, 8080, HTTP), publishedPort(env.network, 8081, HTTP, { protocol: 'udp' }), publishedPort(env.network, 8082, HTTP, { hostIp: '127.0.0.1' })];
      const link = neighbourLink(env.network, HTTP);
      await env.publisher.addNetwork(env.ctx, network);
      await env.publisher.publish(env.ctx, ports);
      await env.publisher.addLink(env.ctx, link);
      await env.publisher.reload(env.ctx, { networks: [network], ports, links: [link] });
      expect(await env.publisher.describe(env.ctx), 'describe()').to.contain(T.bridge);
      expect(await options.foreignRules(env.host), 'foreign rules while installed').to.equal(foreign);

      await env.publisher.removeLink(env.ctx, link);
      await env.publisher.unpublish(env.ctx, ports);
      await env.publisher.removeNetwork(env.ctx, network);
      await env.publisher.removeNetwork(env.ctx, network);
      await env.publisher.reset(env.ctx);
      await env.publisher.reset(env.ctx);
      expect(await options.owned(env.host), 'owned after reset').to.equal('');
      expect(await options.foreignRules(env.host), 'foreign rules after reset').to.equal(foreign);
    });

    it('reset removes everything, whether nothing was ever installed or networks and ports still are', async function () {
      const env = await setUp(this);
      await env.publisher.unpublish(env.ctx, [publishedPort(env.network, 8080, HTTP)]);
      await env.publisher.removeLink(env.ctx, neighbourLink(env.network, HTTP));
      await env.publisher.removeNetwork(env.ctx, env.network);
      await env.publisher.reset(env.ctx);
      expect(await env.publisher.describe(env.ctx), 'describe() with nothing installed').to.be.a('string');
      expect(await options.owned(env.host), 'owned after teardown of nothing').to.equal('');

      await env.publisher.addNetwork(env.ctx, env.network);
      await env.publisher.publish(env.ctx, [publishedPort(env.network, 8080, HTTP)]);
      await env.publisher.addLink(env.ctx, neighbourLink(env.network, HTTP));
      await env.publisher.reset(env.ctx);
      expect(await options.owned(env.host), 'owned after reset of an installation').to.equal('');
    });

    defineIpv6Behaviour(tn, setUp, options);
  });
}
