import { expect } from 'chai';
import { CtrnetError, type NetworkRules } from '@ctrnet/core';
import { httpGet, startHttpServer, useTestNamespaces, type NetnsHandle } from '@ctrnet/testkit';
import { NftablesPublisher } from '../src/index.js';
import { readElements } from '../src/apply.js';
import {
  binding,
  blocked,
  BRIDGE2,
  buildTopology,
  describePublisherBehaviour,
  GATEWAY2,
  HOST_LAN_IP,
  LAN_IP,
  networkRules,
  seenAs,
  startAddressEcho,
  SUBNET2,
} from './publisher-behaviour.js';

describePublisherBehaviour('nftables', () => new NftablesPublisher());

const OTHER: NetworkRules = networkRules({ networkId: 'm'.repeat(64), bridge: BRIDGE2, subnet: SUBNET2, gateway: GATEWAY2, icc: false });

async function nft(host: NetnsHandle, ...args: string[]): Promise<string> {
  return (await host.exec(['nft', ...args])).stdout;
}

/** The kernel lists hash-set elements in no particular order. */
async function sortedElements(ctx: Parameters<typeof readElements>[0]): Promise<Record<string, string[]>> {
  const elements = (await readElements(ctx)) ?? {};
  return Object.fromEntries(Object.entries(elements).map(([role, list]) => [role, [...(list ?? [])].sort()]));
}

async function bridge2(host: NetnsHandle): Promise<void> {
  await host.exec(['ip', 'link', 'add', BRIDGE2, 'type', 'bridge']);
}

describe('nftables publisher: kernel state', function () {
  this.timeout(60_000);
  const tn = useTestNamespaces();
  const p = new NftablesPublisher();

  it('owns exactly one table, and re-adding a network leaves it as it was', async () => {
    const { host, ctx } = await buildTopology(tn);
    await p.addNetwork(ctx, networkRules());
    const once = await nft(host, 'list', 'ruleset');
    await p.addNetwork(ctx, networkRules());
    expect(await nft(host, 'list', 'ruleset')).to.equal(once);
    expect((await nft(host, 'list', 'tables')).trim()).to.equal('table inet ctrnet');
    expect((await p.describe(ctx)).trim()).to.equal(once.trim());
  });

  it('adds and removes only the elements of the network, port or link at hand', async () => {
    const { host, ctx } = await buildTopology(tn);
    await bridge2(host);
    await p.addNetwork(ctx, networkRules());
    const oneNetwork = await sortedElements(ctx);

    await p.addNetwork(ctx, OTHER);
    await p.publish(ctx, [binding(8080), binding(8081, { hostIp: HOST_LAN_IP, protocol: 'udp', containerPort: 53 })]);
    expect(await sortedElements(ctx)).to.deep.include({
      dnat4: ['10.250.9.1 . udp . 8081 : 10.250.1.2 . 53'],
      dnat4Any: ['tcp . 8080 : 10.250.1.2 . 80'],
      bridges: ['"br-t"', '"br-u"'],
    });

    await p.unpublish(ctx, [binding(8080), binding(8081, { hostIp: HOST_LAN_IP, protocol: 'udp', containerPort: 53 })]);
    await p.removeNetwork(ctx, OTHER);
    expect(await sortedElements(ctx)).to.deep.equal(oneNetwork);
  });

  it('leaves the ruleset exactly as it found it after removeNetwork and reset', async () => {
    const { host, ctx } = await buildTopology(tn);
    await host.exec(['nft', '-f', '-'], { input: 'table ip foreign {\n  chain pre {\n    type nat hook prerouting priority -100; policy accept;\n    tcp dport 9 counter\n  }\n}\n' });
    await host.exec(['iptables', '-w', '-A', 'FORWARD', '-s', '192.0.2.2', '-j', 'DROP']);
    const before = await nft(host, 'list', 'ruleset');

    await p.addNetwork(ctx, networkRules());
    await p.publish(ctx, [binding(8080)]);
    await p.unpublish(ctx, [binding(8080)]);
    await p.removeNetwork(ctx, networkRules());
    await p.reset(ctx);
    expect(await nft(host, 'list', 'ruleset')).to.equal(before);
  });

  it("runs the admin's user chain first, keeps it across addNetwork and reload, and drops it only on reset", async () => {
    const topo = await buildTopology(tn);
    const { host, lan, ctx } = topo;
    await startAddressEcho(tn, topo.container, 80);
    await p.addNetwork(ctx, networkRules());
    await p.publish(ctx, [binding(8080)]);
    // Published ports are forwarded, never seen by INPUT: the user chain is where the admin filters them.
    await host.exec(['nft', 'add', 'rule', 'inet', 'ctrnet', 'user', 'ip', 'saddr', LAN_IP, 'tcp', 'dport', '80', 'drop']);
    expect(await blocked(lan, HOST_LAN_IP, 8080)).to.equal(true);

    await p.addNetwork(ctx, networkRules());
    await p.reload(ctx, { networks: [networkRules()], ports: [binding(8080)], links: [] });
    expect(await blocked(lan, HOST_LAN_IP, 8080)).to.equal(true);
    expect(await nft(host, 'list', 'chain', 'inet', 'ctrnet', 'user')).to.contain(`ip saddr ${LAN_IP} tcp dport 80 drop`);

    await p.reset(ctx);
    await p.addNetwork(ctx, networkRules());
    await p.publish(ctx, [binding(8080)]);
    expect(await seenAs(lan, `http://${HOST_LAN_IP}:8080/`)).to.equal(LAN_IP);
  });

  it("replaces a stale mapping on publish, and keeps a mapping that is no longer the caller's on unpublish", async () => {
    const { container, lan, ctx } = await buildTopology(tn);
    await startHttpServer(tn, container, { port: 80, body: 'old' });
    await startHttpServer(tn, container, { port: 81, body: 'new' });
    await p.addNetwork(ctx, networkRules());
    const stale = binding(8080);
    const current = binding(8080, { containerId: 'e'.repeat(64), containerPort: 81 });

    // As after a crash: the kernel still maps 8080 to the old container when the store hands it to a new one.
    await p.publish(ctx, [stale, binding(8081)]);
    await p.publish(ctx, [current, binding(8082)]);
    expect((await httpGet(lan, `http://${HOST_LAN_IP}:8080/`)).body).to.equal('new');
    expect((await httpGet(lan, `http://${HOST_LAN_IP}:8082/`)).body).to.equal('old');

    // The late teardown of the old container removes its other port but not 8080.
    await p.unpublish(ctx, [stale, binding(8081)]);
    expect((await httpGet(lan, `http://${HOST_LAN_IP}:8080/`)).body).to.equal('new');
    expect(await blocked(lan, HOST_LAN_IP, 8081)).to.equal(true);
  });

  it('refuses to publish into a missing table, naming the fix', async () => {
    const { ctx } = await buildTopology(tn);
    const err = await p.publish(ctx, [binding(8080)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(CtrnetError);
    expect((err as CtrnetError).code).to.equal('INVALID_STATE');
    expect((err as CtrnetError).message).to.contain('ctrnet system reload');
  });
});
