import { Option, type Command } from 'commander';
import { CtrnetError, ipamFlags, parseBoolFlag } from '@ctrnet/core/api';
import { json, table } from '../output.js';
import { collect, withApi } from '../session.js';

interface CreateOptions {
  driver: string;
  ipamDriver?: string;
  subnet?: string[];
  ipRange?: string[];
  gateway?: string[];
  internal?: boolean;
  ipv4?: string;
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
    .option('--ipam-driver <driver>', "IPAM driver (default: the network driver's, else the config's defaultIpamDriver)")
    .option('--subnet <cidr>', 'subnet, one per family (repeatable; default: next free pool)', collect)
    .option('--ip-range <cidr>', 'allocate container addresses from this sub-range (one per family)', collect)
    .option('--gateway <ip>', 'gateway address (one per family)', collect)
    .option('--internal', 'no egress and no published ports')
    .option('--ipv4 <bool>', 'IPv4 on (default true); --ipv4=false with --ipv6 makes an IPv6-only network')
    .option('--ipv6', 'enable IPv6 (default subnet: a /64 of the installation\'s ULA /48)')
    .option('-o, --opt <key=val>', 'driver option (repeatable)', collect)
    .argument('<name>')
    .action(async (name: string, opts: CreateOptions, cmd: Command) => {
      const options: Record<string, string> = {};
      for (const kv of opts.opt ?? []) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new CtrnetError('INVALID_ARGUMENT', `invalid -o ${JSON.stringify(kv)}: expected KEY=VALUE`);
        options[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const request = {
        name,
        driver: opts.driver,
        ipamDriver: opts.ipamDriver,
        ...ipamFlags({ subnet: opts.subnet, ipRange: opts.ipRange, gateway: opts.gateway }),
        internal: opts.internal ?? false,
        ...(opts.ipv4 === undefined ? {} : { ipv4: parseBoolFlag('--ipv4', opts.ipv4) }),
        ipv6: opts.ipv6 ?? false,
        options,
      };
      await withApi(cmd, async (api) => process.stdout.write(`${(await api.call('network.create', request)).Id}\n`));
    });

  network
    .command('ls')
    .alias('list')
    .description('list networks')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: { format: string }, cmd: Command) =>
      withApi(cmd, async (api) => {
        const rows = await api.call('network.list', {});
        if (opts.format === 'json') {
          process.stdout.write(json(rows.map(({ Created: _, ...n }) => n)));
          return;
        }
        process.stdout.write(
          table(
            ['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'GATEWAY', 'CONTAINERS'],
            rows.map((n) => [n.Id.slice(0, 12), n.Name, n.Driver, both(n.Subnet, n.IPv6Subnet), both(n.Gateway, n.IPv6Gateway), String(n.Containers)]),
          ),
        );
      }),
    );

  network
    .command('inspect')
    .description('show networks as JSON')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        const views = [];
        for (const name of names) views.push(await api.call('network.inspect', { name }));
        process.stdout.write(json(views));
      }),
    );

  network
    .command('rm')
    .alias('remove')
    .description('remove networks (refused while containers are attached)')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        for (const name of names) {
          await api.call('network.remove', { name });
          process.stdout.write(`${name}\n`);
        }
      }),
    );

  network
    .command('connect')
    .description('attach a container to a network (adds ethN)')
    .option('--alias <name>', "another name for the container on this network, for the network's DNS (repeatable)", collect)
    .option('--ip <ipv4>', 'fixed IPv4 address on that network')
    .option('--ip6 <ipv6>', 'fixed IPv6 address on that network')
    .argument('<network>')
    .argument('<container>')
    .action(async (network: string, container: string, opts: { alias?: string[]; ip?: string; ip6?: string }, cmd: Command) =>
      withApi(cmd, async (api) =>
        void (await api.call('network.connect', { network, container, ...(opts.alias && { aliases: opts.alias }), ...(opts.ip && { ip: opts.ip }), ...(opts.ip6 && { ip6: opts.ip6 }) })),
      ),
    );

  network
    .command('disconnect')
    .description('detach a container from a network')
    .argument('<network>')
    .argument('<container>')
    .action(async (network: string, container: string, _opts: unknown, cmd: Command) => withApi(cmd, async (api) => void (await api.call('network.disconnect', { network, container }))));
}

/** A network's IPv4 and IPv6 values in one table cell. */
function both(v4: string, v6: string | undefined): string {
  return [v4, v6].filter(Boolean).join(',');
}
