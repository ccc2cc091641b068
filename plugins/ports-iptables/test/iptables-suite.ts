import { expect } from 'chai';
import createDebug from 'debug';
import type { ExecTarget, Executor, PluginContext, RunOptions } from '@ctrnet/core';
import {
  addOtherNetwork,
  buildPublisherTopology,
  canConnect,
  describePublisherBehaviour,
  HostNamespaceExecutor,
  PUBLISHER_TOPOLOGY as T,
  publishedPort,
  startHttpServer,
  useTestNamespaces,
  type NetnsHandle,
  type PublisherBehaviourOptions,
  type PublisherTopology,
} from '@ctrnet/testkit';
import { baseUnit, containerUnits, networkUnit } from '../src/layout.js';
import { IptablesPublisher } from '../src/publisher.js';
import { reconcile } from '../src/reconcile.js';
import { parseSave } from '../src/ruleset.js';
import type { IptablesVariant } from '../src/tools.js';

const log = createDebug('ctrnet:ports-iptables:integ');

/** The commands of one flavour and family, for the test's own inspection of the kernel. */
function commands(variant: IptablesVariant, family: 4 | 6 = 4): { iptables: string; save: string; restore: string } {
  const suffix = variant === 'default' ? '' : `-${variant}`;
  const tool = family === 6 ? 'ip6tables' : 'iptables';
  return { iptables: `${tool}${suffix}`, save: `${tool}${suffix}-save`, restore: `${tool}${suffix}-restore` };
}

/** Someone else's rules: a Docker-like DNAT chain and a FORWARD rule, in place before ctrnet arrives. */
const FOREIGN_RULES = `*nat
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -p tcp -m tcp --dport 9000 -j DNAT --to-destination 192.0.2.10:80
COMMIT
*filter
:DOCKER-USER - [0:0]
-A DOCKER-USER -s 192.0.2.0/24 -j RETURN
-I FORWARD 1 -s 192.0.2.0/24 -j ACCEPT
COMMIT
`;

async function saved(host: NetnsHandle, variant: IptablesVariant, family: 4 | 6 = 4): Promise<string[]> {
  return (await host.exec([commands(variant, family).save])).stdout.split('\n');
}

/** `-A` rules and user-chain declarations, each with its table, counters dropped. */
function ruleLines(lines: readonly string[]): string[] {
  let table = '';
  const out: string[] = [];
  for (const line of lines) {
    if (line.startsWith('*')) table = line;
    else if (line.startsWith('-A ') || (line.startsWith(':') && line.includes(' - '))) out.push(`${table} ${line.replace(/ \[\d+:\d+\]$/, '')}`);
  }
  return out;
}

function behaviourOptions(variant: IptablesVariant): PublisherBehaviourOptions {
  const cmd = commands(variant);
  const cmd6 = commands(variant, 6);
  // Both families: what ctrnet owns in ip6tables counts as much as in iptables.
  const owned = async (host: NetnsHandle, family: 4 | 6) => ruleLines(await saved(host, variant, family)).filter((l) => l.includes('CTRNET'));
  return {
    owned: async (host) => {
      const v6 = await owned(host, 6);
      return [...(await owned(host, 4)), ...v6.map((l) => `ip6 ${l}`)].join('\n');
    },
    flush: async (host) => {
      for (const tool of [cmd.iptables, cmd6.iptables]) for (const table of ['raw', 'nat', 'filter']) await host.exec([tool, '-w', '-t', table, '-F']);
    },
    addForeignRules: async (host) => {
      await host.exec([cmd.restore, '-w', '--noflush'], { input: FOREIGN_RULES });
    },
    foreignRules: async (host) => ruleLines(await saved(host, variant)).filter((l) => !l.includes('CTRNET')).join('\n'),
  };
}

/** Counts the processes a publisher runs, to hold the common path to one `iptables-restore`. */
class CountingExecutor extends HostNamespaceExecutor implements Executor {
  readonly commands: string[] = [];

  override run(argv: readonly string[], options?: RunOptions) {
    this.commands.push(argv[0]!);
    return super.run(argv, options);
  }

  override iptablesRestore(payload: string, options?: ExecTarget & { family?: 4 | 6 }) {
    this.commands.push('iptables-restore');
    return super.iptablesRestore(payload, options);
  }
}

/** The behaviour suite plus iptables-specific checks, for one flavour of iptables. */
export function describeIptablesPublisher(variant: IptablesVariant): void {
  describePublisherBehaviour(`iptables (${variant === 'default' ? 'machine default, iptables-nft here' : variant})`, () => new IptablesPublisher({ variant }), behaviourOptions(variant));

  describe(`IptablesPublisher on a real kernel (${variant})`, function () {
    this.timeout(30_000);
    const tn = useTestNamespaces();
    let world: PublisherTopology;
    let exec: CountingExecutor;
    let ctx: PluginContext;
    const publisher = new IptablesPublisher({ variant });
    const binding = () => publishedPort(world.network, 8080, 80);

    beforeEach(async () => {
      world = await buildPublisherTopology(tn);
      exec = new CountingExecutor(world.host.path);
      ctx = { exec, log };
    });

    it('hooks its chains into the built-in chains, the admin chain first', async () => {
      await publisher.addNetwork(ctx, world.network);
      await publisher.publish(ctx, [binding()]);
      const lines = await saved(world.host, variant);
      const rulesOf = (chain: string) => lines.filter((l) => l.startsWith(`-A ${chain} `));
      expect(rulesOf('FORWARD')).to.deep.equal(['-A FORWARD -m comment --comment ctrnet -j CTRNET-USER', '-A FORWARD -m comment --comment ctrnet -j CTRNET-FORWARD']);
      expect(rulesOf('POSTROUTING')).to.deep.equal(['-A POSTROUTING -m comment --comment ctrnet -j CTRNET-POSTROUTING']);
      expect(rulesOf('OUTPUT')).to.include('-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT');
      expect(rulesOf('CTRNET-DNAT')).to.have.length(1);
      expect(rulesOf('CTRNET-USER')).to.deep.equal([]);
    });

    it('builds jumps exactly as iptables-save prints them, so reconciling an intact ruleset adds or deletes no jump', async () => {
      const bindings = [binding(), publishedPort(world.network, 8082, 80, { hostIp: '127.0.0.1' })];
      const internal = { ...(await addOtherNetwork(tn, world)).network, internal: true };
      await publisher.addNetwork(ctx, world.network);
      await publisher.addNetwork(ctx, internal);
      await publisher.publish(ctx, bindings);
      // Newest network first: each network's inbound jump is inserted on top.
      const units = [baseUnit(), networkUnit(internal)!, networkUnit(world.network)!, ...containerUnits(bindings)];
      const lines = reconcile(parseSave((await saved(world.host, variant)).join('\n')), { ensure: units, remove: [] }).flatMap((t) => t.lines);
      const chainNames = units.flatMap((u) => u.chains.filter((c) => !c.dispatch).map((c) => c.name));
      // Only the leaf chains are rewritten: their declarations and their own rules.
      expect(lines.filter((l) => !chainNames.some((name) => l.startsWith(`:${name} `) || l.startsWith(`-A ${name} `)))).to.deep.equal([]);
    });

    it('publishes and unpublishes with one iptables-restore each and no listing', async () => {
      await publisher.addNetwork(ctx, world.network);
      exec.commands.length = 0;
      await publisher.publish(ctx, [binding()]);
      await publisher.unpublish(ctx, [binding()]);
      const restore = variant === 'default' ? 'iptables-restore' : commands(variant).restore;
      expect(exec.commands).to.deep.equal([restore, restore]);
    });

    it('runs the admin rules in CTRNET-USER before published ports, and keeps them through reload and reset', async () => {
      await startHttpServer(tn, world.container, { port: 80 });
      await publisher.addNetwork(ctx, world.network);
      await publisher.publish(ctx, [binding()]);
      expect(await canConnect(world.lan, T.hostLanIp, 8080)).to.equal(true);
      await world.host.exec([commands(variant).iptables, '-w', '-A', 'CTRNET-USER', '-s', T.lanIp, '-j', 'DROP']);
      expect(await canConnect(world.lan, T.hostLanIp, 8080, { timeoutMs: 500 })).to.equal(false);

      const adminRule = `-A CTRNET-USER -s ${T.lanIp}/32 -j DROP`;
      await publisher.reload(ctx, { networks: [world.network], ports: [binding()], links: [] });
      expect(await saved(world.host, variant)).to.include(adminRule);
      await publisher.reset(ctx);
      const after = await saved(world.host, variant);
      expect(after.filter((l) => l.includes('CTRNET'))).to.deep.equal([':CTRNET-USER - [0:0]', '-A FORWARD -m comment --comment ctrnet -j CTRNET-USER', adminRule]);
    });
  });
}
