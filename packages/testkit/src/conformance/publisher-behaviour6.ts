/**
 * The IPv6 half of `describePublisherBehaviour`, and the gateway modes:
 * the same Docker behaviour, by real packets, on a dual-stack topology
 * (see TOPOLOGY6). What a publisher owes IPv6: DNAT of published ports from
 * the LAN, the host and containers (hairpin), masquerade of egress, the
 * direct-routing guard, isolation, ICC and links, internal networks, and
 * exact removal. `[::1]` is not the publisher's: the kernel cannot route a
 * DNATed ::1 connection's reply, so core runs a proxy there; the publisher
 * must leave ::1 alone for it.
 */
import { expect } from 'chai';
import type { LinkRule, NetworkRules, PortBinding } from '@ctrnet/core';
import type { TestNamespaces } from '../namespaces.js';
import { canConnect, httpGet, udpRequest } from '../probes.js';
import { startAddressEcho, startHttpServer, startUdpEcho } from '../servers.js';
import type { PublisherBehaviourOptions } from './publisher-behaviour.js';
import { BLOCKED_TIMEOUT_MS, expectBlocked, seenAs } from './publisher-probes.js';
import { NEIGHBOUR_ID, TOPOLOGY, TOPOLOGY6, addNeighbour, addOtherNetwork, publishedPort, type PublisherEnv, type TopologyOptions } from './publisher-topology.js';

const T = TOPOLOGY;
const T6 = TOPOLOGY6;
const HTTP = 80;

/** A TCP port of the topology's container published over IPv6, on every IPv6 host address unless `overrides` say otherwise. */
function published6(network: NetworkRules, hostPort: number, containerPort: number, overrides: Partial<PortBinding> = {}): PortBinding {
  return publishedPort(network, hostPort, containerPort, { hostIp: '::', containerIp: T6.containerIp, ...overrides });
}

/** A link over IPv6 from the neighbour to the topology's container. */
function neighbourLink6(network: NetworkRules, port: number): LinkRule {
  return { containerId: NEIGHBOUR_ID, bridge: network.bridge, sourceIp: T6.neighbourIp, targetIp: T6.containerIp, ports: [{ port, protocol: 'tcp' }] };
}

type SetUp = (test: Mocha.Context, topology?: TopologyOptions) => Promise<PublisherEnv>;

export function defineIpv6Behaviour(tn: TestNamespaces, setUp: SetUp, options: PublisherBehaviourOptions): void {
  const dual = (test: Mocha.Context, extra: TopologyOptions = {}) => setUp(test, { ipv6: true, ...extra });

  it('IPv6: answers a published port from the LAN (keeping the client address), from the host at its own addresses and from containers through a host address (hairpin), on the same host port as IPv4', async function () {
    const env = await dual(this);
    const neighbour = await addNeighbour(tn, env);
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await env.publisher.addNetwork(env.ctx, env.network);
    await env.publisher.publish(env.ctx, [publishedPort(env.network, 8080, HTTP), published6(env.network, 8080, HTTP)]);
    const seen = await Promise.all([
      seenAs(env.lan, T6.hostLanIp, 8080),
      seenAs(env.host, T6.hostLanIp, 8080),
      seenAs(env.host, T6.gateway, 8080),
      seenAs(env.container, T6.hostLanIp, 8080),
      seenAs(env.container, T6.gateway, 8080),
      seenAs(neighbour, T6.hostLanIp, 8080),
      seenAs(env.lan, T.hostLanIp, 8080),
    ]);
    expect(seen[0], 'from the LAN').to.equal(T6.lanIp);
    expect(seen.slice(3, 5), 'from the container itself (masqueraded to the gateway)').to.deep.equal([T6.gateway, T6.gateway]);
    expect(seen[6], 'IPv4 on the same host port').to.equal(T.lanIp);
  });

  it('IPv6: leaves [::1] alone, for the host process (core\'s loopback proxy) listening there', async function () {
    const env = await dual(this);
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await startHttpServer(tn, env.host, { port: 8080, host: '::1', body: 'the host on [::1]' });
    await env.publisher.addNetwork(env.ctx, env.network);
    await env.publisher.publish(env.ctx, [published6(env.network, 8080, HTTP), published6(env.network, 8081, HTTP, { hostIp: '::1' })]);
    expect(await httpGet(env.host, 'http://[::1]:8080/'), 'a port published on :: from [::1]').to.deep.equal({ status: 200, body: 'the host on [::1]' });
    expect(await seenAs(env.lan, T6.hostLanIp, 8080), 'the same port from the LAN').to.equal(T6.lanIp);
    await expectBlocked('a port published on [::1] only, from the LAN and the host address', [env.lan, T6.hostLanIp, 8081], [env.host, T6.hostLanIp, 8081]);
  });

  it('IPv6: answers a port bound to one host IPv6 address on that address only, and publishes UDP', async function () {
    const env = await dual(this);
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await startUdpEcho(tn, env.container, { port: 5353, host: '::' });
    await env.publisher.addNetwork(env.ctx, env.network);
    await env.publisher.publish(env.ctx, [published6(env.network, 8081, HTTP, { hostIp: T6.hostLanIp }), published6(env.network, 5353, 5353, { protocol: 'udp' })]);
    expect(await seenAs(env.lan, T6.hostLanIp, 8081)).to.equal(T6.lanIp);
    await expectBlocked('the other IPv6 host addresses', [env.lan, T6.hostLanIp2, 8081], [env.host, T6.gateway, 8081], [env.lan, T.hostLanIp, 8081]);
    expect(await udpRequest(env.lan, T6.hostLanIp, 5353, 'ping6'), 'UDP from the LAN').to.equal('echo:ping6');
  });

  it('IPv6: masquerades container egress to the host IPv6 address, and not with masquerade off', async function () {
    const env = await dual(this);
    await startAddressEcho(tn, env.lan, { port: 7000, host: '::' });
    await env.publisher.addNetwork(env.ctx, env.network);
    // The kernel picks which of the host's two LAN addresses the masquerade uses.
    expect([T6.hostLanIp, T6.hostLanIp2]).to.include(await seenAs(env.container, T6.lanIp, 7000));
    await env.publisher.removeNetwork(env.ctx, env.network);
    await env.publisher.addNetwork(env.ctx, { ...env.network, masquerade: false });
    // The LAN has no route back to the container subnet: nothing answers.
    await expectBlocked('IPv6 egress with masquerade off', [env.container, T6.lanIp, 7000]);
  });

  it('IPv6: drops traffic routed straight to a container IPv6 address, published port or not; the host itself still reaches it', async function () {
    const env = await dual(this, { lanRoute: true });
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await startHttpServer(tn, env.container, { port: HTTP + 1, host: '::' });
    expect(await seenAs(env.lan, T6.containerIp, HTTP), 'direct routing before addNetwork').to.equal(T6.lanIp);
    await env.publisher.addNetwork(env.ctx, env.network);
    await env.publisher.publish(env.ctx, [published6(env.network, 8080, HTTP)]);
    await expectBlocked('the LAN routing straight to the container over IPv6', [env.lan, T6.containerIp, HTTP], [env.lan, T6.containerIp, HTTP + 1]);
    expect(await seenAs(env.lan, T6.hostLanIp, 8080), 'the same port published on the host').to.equal(T6.lanIp);
    await seenAs(env.host, T6.containerIp, HTTP);
  });

  it("IPv6: isolates networks from each other; both reach the LAN, and an internal network has no IPv6 egress and unreachable ports", async function () {
    const env = await dual(this);
    const other = await addOtherNetwork(tn, env);
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await startAddressEcho(tn, other.container, { port: HTTP, host: '::' });
    await startAddressEcho(tn, env.lan, { port: 7000, host: '::' });
    expect(await seenAs(other.container, T6.containerIp, HTTP), 'across networks before addNetwork').to.equal(T6.other.containerIp);
    await env.publisher.addNetwork(env.ctx, env.network);
    await env.publisher.addNetwork(env.ctx, other.network);
    await expectBlocked('each network from the other over IPv6', [other.container, T6.containerIp, HTTP], [env.container, T6.other.containerIp, HTTP]);
    for (const seen of await Promise.all([seenAs(env.container, T6.lanIp, 7000), seenAs(other.container, T6.lanIp, 7000)])) expect([T6.hostLanIp, T6.hostLanIp2], 'both to the LAN, masqueraded').to.include(seen);

    await env.publisher.removeNetwork(env.ctx, env.network);
    await env.publisher.addNetwork(env.ctx, { ...env.network, internal: true });
    await env.publisher.publish(env.ctx, [published6(env.network, 8080, HTTP)]);
    await expectBlocked('an internal network: egress, and its port from the LAN and the host', [env.container, T6.lanIp, 7000], [env.lan, T6.hostLanIp, 8080], [env.host, T6.hostLanIp, 8080]);
  });

  it('IPv6: with ICC off isolates containers on one bridge, and a link opens exactly the exposed port, one way', async function () {
    const env = await dual(this);
    const bridgeNf = await env.host.exec(['sysctl', '-qw', 'net.bridge.bridge-nf-call-ip6tables=1'], { reject: false });
    if (bridgeNf.exitCode !== 0) {
      process.stderr.write(`[ctrnet conformance] br_netfilter is not available (${bridgeNf.stderr.trim()}); skipping the IPv6 ICC check\n`);
      this.skip();
    }
    const neighbour = await addNeighbour(tn, env);
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await startAddressEcho(tn, neighbour, { port: HTTP, host: '::' });
    await env.publisher.addNetwork(env.ctx, { ...env.network, icc: false });
    await expectBlocked('IPv6 with ICC off', [neighbour, T6.containerIp, HTTP]);
    const link = neighbourLink6(env.network, HTTP);
    await env.publisher.addLink(env.ctx, link);
    expect(await seenAs(neighbour, T6.containerIp, HTTP), 'over the link').to.equal(T6.neighbourIp);
    await expectBlocked('against the link', [env.container, T6.neighbourIp, HTTP]);
    await env.publisher.removeLink(env.ctx, link);
    await env.publisher.removeLink(env.ctx, link);
    await expectBlocked('after removeLink', [neighbour, T6.containerIp, HTTP]);
  });

  it('IPv6: publishes on an IPv6-only network', async function () {
    const env = await dual(this);
    const { subnet: _s, gateway: _g, ...v6only } = env.network;
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await env.publisher.addNetwork(env.ctx, v6only);
    await env.publisher.publish(env.ctx, [published6(v6only, 8080, HTTP)]);
    expect(await seenAs(env.lan, T6.hostLanIp, 8080)).to.equal(T6.lanIp);
    await expectBlocked('no IPv4 rules for an IPv6-only network', [env.lan, T.hostLanIp, 8080]);
  });

  it('IPv6: unpublish and removeNetwork remove exactly what they added, in both families; reset leaves nothing', async function () {
    const env = await dual(this);
    const other = await addOtherNetwork(tn, env);
    await env.publisher.addNetwork(env.ctx, env.network);
    const before = await options.owned(env.host);
    const ports = [publishedPort(env.network, 8080, HTTP), published6(env.network, 8080, HTTP), published6(env.network, 8082, HTTP, { hostIp: T6.hostLanIp }), published6(env.network, 5353, 5353, { protocol: 'udp' })];
    const link = neighbourLink6(env.network, HTTP);
    await env.publisher.publish(env.ctx, ports);
    await env.publisher.addLink(env.ctx, link);
    expect(await options.owned(env.host), 'with IPv6 ports and a link').to.not.equal(before);
    await env.publisher.removeLink(env.ctx, link);
    await env.publisher.unpublish(env.ctx, ports);
    await env.publisher.unpublish(env.ctx, ports);
    expect(await options.owned(env.host), 'after unpublish').to.equal(before);
    await env.publisher.addNetwork(env.ctx, other.network);
    await env.publisher.removeNetwork(env.ctx, other.network);
    await env.publisher.removeNetwork(env.ctx, other.network);
    expect(await options.owned(env.host), 'after adding and removing another dual-stack network').to.equal(before);
    await env.publisher.removeNetwork(env.ctx, env.network);
    await env.publisher.reset(env.ctx);
    expect(await options.owned(env.host), 'after removing everything and reset').to.equal('');
  });

  it('gateway mode routed (IPv6): a published container port is reached by routing, without NAT; unpublished ports are not; egress is not masqueraded', async function () {
    const env = await dual(this, { lanRoute: true });
    const network = { ...env.network, gatewayMode6: 'routed' as const };
    await startAddressEcho(tn, env.container, { port: HTTP, host: '::' });
    await startHttpServer(tn, env.container, { port: HTTP + 1, host: '::' });
    await startAddressEcho(tn, env.lan, { port: 7000, host: '::' });
    await env.publisher.addNetwork(env.ctx, network);
    await env.publisher.publish(env.ctx, [published6(network, HTTP, HTTP, { hostIp: T6.containerIp, routed: true })]);
    expect(await seenAs(env.lan, T6.containerIp, HTTP), 'the routed port from the LAN').to.equal(T6.lanIp);
    expect(await seenAs(env.container, T6.lanIp, 7000), 'egress keeps the container address').to.equal(T6.containerIp);
    await expectBlocked('an unpublished port of a routed network', [env.lan, T6.containerIp, HTTP + 1]);
    expect(await canConnect(env.lan, T.containerIp, HTTP, { timeoutMs: BLOCKED_TIMEOUT_MS }), 'IPv4 stays nat: no direct route in').to.equal(false);
  });

  it('gateway mode nat-unprotected (IPv4): any container port is reached by routing from the LAN, egress is masqueraded, other networks stay isolated', async function () {
    const env = await dual(this, { lanRoute: true });
    const other = await addOtherNetwork(tn, env);
    const network = { ...env.network, gatewayMode: 'nat-unprotected' as const };
    await startHttpServer(tn, env.container, { port: HTTP + 1, host: '::' });
    await startAddressEcho(tn, env.lan, { port: 7000, host: '::' });
    await env.publisher.addNetwork(env.ctx, network);
    await env.publisher.addNetwork(env.ctx, other.network);
    expect(await canConnect(env.lan, T.containerIp, HTTP + 1), 'an unpublished port by routing').to.equal(true);
    expect(await seenAs(env.container, T.lanIp, 7000), 'egress').to.equal(T.hostLanIp);
    await expectBlocked('the other network, and IPv6 (still nat)', [other.container, T.containerIp, HTTP + 1], [env.lan, T6.containerIp, HTTP + 1]);
  });
}
