import type { Command } from 'commander';
import { CtrnetError, ipamFlags, parseBoolFlag } from '@ctrnet/core/api';
import { formatListing } from '../format.js';
import { parseFilters } from '../listing/filters.js';
import { DEFAULT_NETWORK_COLUMNS, NETWORK_FILTER_KEYS, NETWORK_HEADERS, byName, networkFilter, networkRow } from '../listing/network-rows.js';
import { json } from '../output.js';
import { collect, withApi, type CommandResult } from '../session.js';
import { inspectObjects } from './inspect.js';
import { NETWORK_PRUNE_WARNING, confirmPrune, pruneNetworks, prunedReport } from './prune.js';

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

/** `network create / ls / inspect / prune / rm / connect / disconnect`. */
export function registerNetworkCommands(program: Command, result: CommandResult): void {
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
    .option('-q, --quiet', 'print network ids only')
    .option('-f, --filter <key=value>', `filter: ${NETWORK_FILTER_KEYS.join(', ')} (repeatable; same key: any, different keys: all)`, collect)
    .option('--no-trunc', 'do not truncate network ids')
    .option('--format <format>', 'table (default), json, "table TEMPLATE" or a Go template per network')
    .action(async (opts: { quiet?: boolean; filter?: string[]; trunc: boolean; format?: string }, cmd: Command) => {
      const wanted = networkFilter(parseFilters(opts.filter ?? [], NETWORK_FILTER_KEYS));
      const rows = (await withApi(cmd, (api) => api.call('network.list', {}))).filter(wanted).sort(byName);
      if (opts.quiet && (opts.format === undefined || opts.format === 'table')) {
        process.stdout.write(rows.map((n) => `${opts.trunc ? n.Id.slice(0, 12) : n.Id}\n`).join(''));
        return;
      }
      const listing = {
        rows: rows.map((n) => networkRow(n, opts.trunc)),
        headers: NETWORK_HEADERS,
        columns: DEFAULT_NETWORK_COLUMNS,
        // ctrnet's array of networks (scripts and the test suite read it).
        json: () => json(rows.map(({ Created: _, ...n }) => n)),
      };
      process.stdout.write(await formatListing(opts.format, listing));
    });

  network
    .command('inspect')
    .description('show networks as JSON (Docker field names)')
    .option('-f, --format <format>', 'json (compact) or a Go template run for each network')
    .argument('<name...>')
    .action(async (names: string[], opts: { format?: string }, cmd: Command) => withApi(cmd, (api) => inspectObjects(api, names, ['network'], opts.format, result)));

  network
    .command('prune')
    .description('remove every user-defined network no container uses')
    .option('-f, --force', 'do not ask for confirmation')
    .action(async (opts: { force?: boolean }, cmd: Command) => {
      if (!(await confirmPrune(NETWORK_PRUNE_WARNING, opts.force))) return;
      const removed = await withApi(cmd, (api) => pruneNetworks(api));
      process.stdout.write(prunedReport('Networks', removed));
    });

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
