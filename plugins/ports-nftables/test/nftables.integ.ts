import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, type ExecTarget, type PluginContext } from '@ctrnet/core';
import {
  addOtherNetwork,
  buildPublisherTopology,
  canConnect,
  describePublisherBehaviour,
  HostNamespaceExecutor,
  httpGet,
  PUBLISHER_TOPOLOGY as T,
  publishedPort,
  startAddressEcho,
  startHttpServer,
  useTestNamespaces,
  type NetnsHandle,
  type PublisherTopology,
  type TestNamespaces,
} from '@ctrnet/testkit';
import { NftablesPublisher } from '../src/index.js';
import { readElements } from '../src/apply.js';

const log = createDebug('ctrnet:ports-nftables:integ');

/** Dropped packets show up as timeouts; refusals are instant, so a short wait is enough. */
const BLOCKED = { timeoutMs: 500 };

describePublisherBehaviour('nftables', () => new NftablesPublisher(), {
  owned: ownedTable,
  flush: async (host) => void (await host.exec(['nft', 'flush', 'ruleset'])),
  addForeignRules: async (host) => {
    await host.exec(['nft', '-f', '-'], { input: 'table inet foreign {\n  chain filter-forward {\n    type filter hook forward priority 10; policy accept;\n    ip saddr 192.0.2.1 drop\n  }\n}\n' });
    await host.exec(['iptables', '-w', '-A', 'FORWARD', '-s', '192.0.2.2', '-j', 'DROP']);
  },
  foreignRules: async (host) =>
    [
      (await host.exec(['nft', 'list', 'table', 'inet', 'foreign'])).stdout,
      (await host.exec(['iptables', '-w', '-S', 'FORWARD'])).stdout.split('\n').filter((l) => l.includes('192.0.2.2')).join('\n'),
    ].join('\n'),
});

/** ctrnet's table as text, set elements sorted (the kernel lists hash sets in no particular order); '' without the table. */
async function ownedTable(host: NetnsHandle): Promise<string> {
  const listing = await host.exec(['nft', 'list', 'table', 'inet', 'ctrnet'], { reject: false });
  if (listing.exitCode !== 0 && /No such file or directory/.test(listing.stderr)) return '';
  if (listing.exitCode !== 0) throw new Error(`nft list table inet ctrnet failed: ${listing.stderr}`);
  return listing.stdout.replace(/elements = \{([^}]*)\}/g, (_, list: string) => `elements = { ${list.split(',').map((e) => e.trim()).sort().join(', ')} }`);
}

/** Counts nft transactions, to hold publish and unpublish to one each. */
class CountingExecutor extends HostNamespaceExecutor {
  transactions = 0;

  override nft(script: string, options?: ExecTarget): Promise<void> {
    this.transactions++;
    return super.nft(script, options);
  }
}

/** The testkit's publisher topology, with a context that acts in its host namespace. */
async function buildWorld(tn: TestNamespaces): Promise<PublisherTopology & { exec: CountingExecutor; ctx: PluginContext }> {
  const world = await buildPublisherTopology(tn);
  const exec = new CountingExecutor(world.host.path);
  return { ...world, exec, ctx: { exec, log } };
}

async function nft(host: NetnsHandle, ...args: string[]): Promise<string> {
  return (await host.exec(['nft', ...args])).stdout;
}

/** The kernel lists hash-set elements in no particular order. */
async function sortedElements(ctx: PluginContext): Promise<Record<string, string[]>> {
  const elements = (await readElements(ctx)) ?? {};
  return Object.fromEntries(Object.entries(elements).map(([role, list]) => [role, [...(list ?? [])].sort()]));
}

/** The client address the address echo at the host's LAN address saw, from inside `ns`. */
async function seenAs(ns: NetnsHandle, port: number): Promise<string> {
  return (await httpGet(ns, `http://${T.hostLanIp}:${port}/`)).body;
}

describe('nftables publisher: kernel state', function () {
  this.timeout(60_000);
  const tn = useTestNamespaces();
  const p = new NftablesPublisher();

  it('owns exactly one table, and re-adding a network leaves it as it was', async () => {
    const { host, ctx, network } = await buildWorld(tn);
    await p.addNetwork(ctx, network);
    const once = await nft(host, 'list', 'ruleset');
    await p.addNetwork(ctx, network);
    expect(await nft(host, 'list', 'ruleset')).to.equal(once);
    expect((await nft(host, 'list', 'tables')).trim()).to.equal('table inet ctrnet');
    expect((await p.describe(ctx)).trim()).to.equal(once.trim());
  });

  it('adds and removes only the elements of the network, port or link at hand', async () => {
    const world = await buildWorld(tn);
    const { ctx, network } = world;
    const other = { ...(await addOtherNetwork(tn, world)).network, icc: false };
    const ports = [publishedPort(network, 8080, 80), publishedPort(network, 8081, 53, { hostIp: T.hostLanIp, protocol: 'udp' })];
    await p.addNetwork(ctx, network);
    const oneNetwork = await sortedElements(ctx);

    await p.addNetwork(ctx, other);
    await p.publish(ctx, ports);
    expect(await sortedElements(ctx)).to.deep.include({
      dnat4: [`${T.hostLanIp} . udp . 8081 : ${T.containerIp} . 53`],
      dnat4Any: [`tcp . 8080 : ${T.containerIp} . 80`],
      bridges: [`"${T.bridge}"`, `"${T.other.bridge}"`],
    });

    await p.unpublish(ctx, ports);
    await p.removeNetwork(ctx, other);
    expect(await sortedElements(ctx)).to.deep.equal(oneNetwork);
  });

  it('leaves the ruleset exactly as it found it after removeNetwork and reset', async () => {
    const { host, ctx, network } = await buildWorld(tn);
    await host.exec(['nft', '-f', '-'], { input: 'table ip foreign {\n  chain pre {\n    type nat hook prerouting priority -100; policy accept;\n    tcp dport 9 counter\n  }\n}\n' });
    await host.exec(['iptables', '-w', '-A', 'FORWARD', '-s', '192.0.2.2', '-j', 'DROP']);
    const before = await nft(host, 'list', 'ruleset');

    await p.addNetwork(ctx, network);
    await p.publish(ctx, [publishedPort(network, 8080, 80)]);
    await p.unpublish(ctx, [publishedPort(network, 8080, 80)]);
    await p.removeNetwork(ctx, network);
    await p.reset(ctx);
    expect(await nft(host, 'list', 'ruleset')).to.equal(before);
  });

  it("runs the admin's user chain first, keeps it across addNetwork and reload, and drops it only on reset", async () => {
    const { host, container, lan, ctx, network } = await buildWorld(tn);
    const port = publishedPort(network, 8080, 80);
    await startAddressEcho(tn, container, { port: 80 });
    await p.addNetwork(ctx, network);
    await p.publish(ctx, [port]);
    // Published ports are forwarded, never seen by INPUT: the user chain is where the admin filters them.
    await host.exec(['nft', 'add', 'rule', 'inet', 'ctrnet', 'user', 'ip', 'saddr', T.lanIp, 'tcp', 'dport', '80', 'drop']);
    expect(await canConnect(lan, T.hostLanIp, 8080, BLOCKED)).to.equal(false);

    await p.addNetwork(ctx, network);
    await p.reload(ctx, { networks: [network], ports: [port], links: [] });
    expect(await canConnect(lan, T.hostLanIp, 8080, BLOCKED)).to.equal(false);
    expect(await nft(host, 'list', 'chain', 'inet', 'ctrnet', 'user')).to.contain(`ip saddr ${T.lanIp} tcp dport 80 drop`);

    await p.reset(ctx);
    await p.addNetwork(ctx, network);
    await p.publish(ctx, [port]);
    expect(await seenAs(lan, 8080)).to.equal(T.lanIp);
  });

  it("replaces a stale mapping on publish, and keeps a mapping that is no longer the caller's on unpublish", async () => {
    const { container, lan, ctx, network } = await buildWorld(tn);
    await startHttpServer(tn, container, { port: 80, body: 'old' });
    await startHttpServer(tn, container, { port: 81, body: 'new' });
    await p.addNetwork(ctx, network);
    const stale = publishedPort(network, 8080, 80);
    const current = publishedPort(network, 8080, 81, { containerId: 'e'.repeat(64) });

    // As after a crash: the kernel still maps 8080 to the old container when the store hands it to a new one.
    await p.publish(ctx, [stale, publishedPort(network, 8081, 80)]);
    await p.publish(ctx, [current, publishedPort(network, 8082, 80)]);
    expect((await httpGet(lan, `http://${T.hostLanIp}:8080/`)).body).to.equal('new');
    expect((await httpGet(lan, `http://${T.hostLanIp}:8082/`)).body).to.equal('old');

    // The late teardown of the old container removes its other port but not 8080.
    await p.unpublish(ctx, [stale, publishedPort(network, 8081, 80)]);
    expect((await httpGet(lan, `http://${T.hostLanIp}:8080/`)).body).to.equal('new');
    expect(await canConnect(lan, T.hostLanIp, 8081, BLOCKED)).to.equal(false);
  });

  it('unpublishes exactly the given bindings, even some of one container, idempotently', async () => {
    const { container, lan, ctx, network } = await buildWorld(tn);
    const [a, b, c] = [publishedPort(network, 8080, 80), publishedPort(network, 8081, 80), publishedPort(network, 8082, 80, { hostIp: T.hostLanIp })];
    await startAddressEcho(tn, container, { port: 80 });
    await p.addNetwork(ctx, network);
    await p.publish(ctx, [a, b, c]);

    await p.unpublish(ctx, [a, c]);
    expect(await canConnect(lan, T.hostLanIp, 8080, BLOCKED)).to.equal(false);
    expect(await canConnect(lan, T.hostLanIp, 8082, BLOCKED)).to.equal(false);
    expect(await seenAs(lan, 8081)).to.equal(T.lanIp);

    await p.unpublish(ctx, [a]);
    await p.unpublish(ctx, [b]);
    expect(await canConnect(lan, T.hostLanIp, 8081, BLOCKED)).to.equal(false);
    // Publishing again after a removal works.
    await p.publish(ctx, [a]);
    expect(await seenAs(lan, 8080)).to.equal(T.lanIp);
  });

  it('refuses to publish into a missing table, naming the fix', async () => {
    const { ctx, network } = await buildWorld(tn);
    const err = await p.publish(ctx, [publishedPort(network, 8080, 80)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(CtrnetError);
    expect((err as CtrnetError).code).to.equal('INVALID_STATE');
    expect((err as CtrnetError).message).to.contain('ctrnet system reload');
  });

  it('publishes and unpublishes 1,000 ports in one transaction each', async () => {
    const { container, lan, exec, ctx, network } = await buildWorld(tn);
    await startAddressEcho(tn, container, { port: 80 });
    await p.addNetwork(ctx, network);
    const ports = Array.from({ length: 1000 }, (_, i) => publishedPort(network, 20000 + i, 80));
    const timed = async (fn: () => Promise<void>): Promise<number> => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    const oneBefore = await timed(() => p.publish(ctx, [publishedPort(network, 19999, 80)]));

    const before = exec.transactions;
    const publishMs = await timed(() => p.publish(ctx, ports));
    expect(exec.transactions - before).to.equal(1);
    expect(await seenAs(lan, 20000)).to.equal(T.lanIp);
    expect(await seenAs(lan, 20999)).to.equal(T.lanIp);

    // Informational only: with 1,000 ports in place, one more should cost what the first did.
    const oneAfter = await timed(() => p.publish(ctx, [publishedPort(network, 21000, 80)]));

    const unpublishMs = await timed(() => p.unpublish(ctx, ports));
    expect(exec.transactions - before).to.equal(3);
    expect(await canConnect(lan, T.hostLanIp, 20500, BLOCKED)).to.equal(false);
    console.log(
      `      [nftables] publish 1000 ports: ${publishMs.toFixed(1)} ms, unpublish: ${unpublishMs.toFixed(1)} ms; ` +
        `one port with 0 published: ${oneBefore.toFixed(1)} ms, with 1001: ${oneAfter.toFixed(1)} ms`,
    );
  });
});
