import { Option, type Command } from 'commander';
import { CtrnetError } from '@ctrnet/core';
import { json, table } from '../output.js';
import { inspectNetwork } from '../views.js';
import { collect, withRuntime } from '../session.js';

interface CreateOptions {
  driver: string;
  subnet?: string;
  ipRange?: string;
  gateway?: string;
  internal?: boolean;
  ipv6?: boolean;
  opt?: string[];
}

/** `network create / ls / inspect / rm / connect / disconnect`. */
export function registerNetworkCommands(program: Command): void {
  const network = program.command('network').description('manage networks');

  network
    .command('create')
    .description('create a network')
    .option('-d, --driver <driver>', 'network driver', 'bridge')
    .option('--subnet <cidr>', 'subnet (default: next free pool)')
    .option('--ip-range <cidr>', 'allocate container addresses from this sub-range')
    .option('--gateway <ip>', 'gateway address')
    .option('--internal', 'no egress and no published ports')
    .option('--ipv6', 'enable IPv6')
    .option('-o, --opt <key=val>', 'driver option (repeatable)', collect)
    .argument('<name>')
    .action(async (name: string, opts: CreateOptions, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const options: Record<string, string> = {};
        for (const kv of opts.opt ?? []) {
          const eq = kv.indexOf('=');
          if (eq <= 0) throw new CtrnetError('INVALID_ARGUMENT', `invalid -o ${JSON.stringify(kv)}: expected KEY=VALUE`);
          options[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        const request = { name, driver: opts.driver, subnet: opts.subnet, ipRange: opts.ipRange, gateway: opts.gateway, internal: opts.internal ?? false, ipv6: opts.ipv6 ?? false, options };
        const planned = await rt.networks.plan(request);
        const created = await rt.ctx.store.lock.withLock(() => rt.networks.create(planned, request));
        process.stdout.write(`${created.id}\n`);
      }),
    );

  network
    .command('ls')
    .alias('list')
    .description('list networks')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: { format: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const rows = rt.networks.list().map((n) => ({ n, containers: rt.ctx.store.endpointsOfNetwork(n.id).length }));
        if (opts.format === 'json') {
          process.stdout.write(json(rows.map(({ n, containers }) => ({ Name: n.name, Id: n.id, Driver: n.driver, Subnet: n.pool?.subnet ?? '', Gateway: n.pool?.gateway ?? '', Internal: n.internal, Containers: containers }))));
          return;
        }
        process.stdout.write(
          table(
            ['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'GATEWAY', 'CONTAINERS'],
            rows.map(({ n, containers }) => [n.id.slice(0, 12), n.name, n.driver, n.pool?.subnet ?? '', n.pool?.gateway ?? '', String(containers)]),
          ),
        );
      }),
    );

  network
    .command('inspect')
    .description('show networks as JSON')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        process.stdout.write(json(names.map((n) => inspectNetwork(rt.ctx.store, rt.networks.get(n)))));
      }),
    );

  network
    .command('rm')
    .alias('remove')
    .description('remove networks (refused while containers are attached)')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        for (const name of names) {
          await rt.ctx.store.lock.withLock(() => rt.networks.remove(name));
          process.stdout.write(`${name}\n`);
        }
      }),
    );

  network
    .command('connect')
    .description('attach a container to a network (adds ethN)')
    .argument('<network>')
    .argument('<container>')
    .action(async (net: string, container: string, _opts: unknown, cmd: Command) => withRuntime(cmd, (rt) => rt.connections.connect(net, container)));

  network
    .command('disconnect')
    .description('detach a container from a network')
    .argument('<network>')
    .argument('<container>')
    .action(async (net: string, container: string, _opts: unknown, cmd: Command) => withRuntime(cmd, (rt) => rt.connections.disconnect(net, container)));
}
