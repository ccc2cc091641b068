import { type Command } from 'commander';
import { defaultRunSpec, parseAddHost, parseEnv, parseExposeSpec, parseLink, parsePublishSpec, checkMac, checkNameserver, type RunSpec } from '@ctrnet/core/api';
import { runForeground } from '../foreground.js';
import { collect, withApi, type CommandResult } from '../session.js';

export interface RunOptions {
  name?: string;
  net?: string;
  network?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  hostname?: string;
  addHost?: string[];
  link?: string[];
  macAddress?: string;
  ip?: string;
  ip6?: string;
  defaultGateway?: string;
  env?: string[];
  detach?: boolean;
}

/** `ctrnet run`: options parse into a RunSpec here; everything else is validated by the runtime. */
export function registerRunCommand(program: Command, result: CommandResult): void {
  program
    .command('run')
    .description('run a command in a new container')
    .usage('[OPTIONS] [--] COMMAND [ARG...]')
    .option('--name <name>', 'container name')
    .option('--net <mode>', 'bridge, host, none, container:NAME or a network name')
    .option('--network <mode>', 'same as --net')
    .option('-p, --publish <spec>', 'publish a port: [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO] (repeatable)', collect)
    .option('-P, --publish-all', 'publish every exposed port on a free host port')
    .option('--expose <port>', 'expose PORT[-END][/PROTO] without publishing (repeatable)', collect)
    .option('--dns <ip>', 'nameserver (repeatable)', collect)
    .option('--dns-search <domain>', 'resolv.conf search domain (repeatable)', collect)
    .option('--dns-option <opt>', 'resolv.conf option (repeatable)', collect)
    .option('--hostname <name>', 'container hostname')
    .option('--add-host <host:ip>', 'extra /etc/hosts line (repeatable)', collect)
    .option('--link <name[:alias]>', 'link to another container (repeatable)', collect)
    .option('--mac-address <mac>', 'MAC address of eth0')
    .option('--ip <ipv4>', 'fixed IPv4 address')
    .option('--ip6 <ipv6>', 'fixed IPv6 address (networks with --ipv6)')
    .option('--default-gateway <ip>', 'default route via this address')
    .option('-e, --env <key=val>', 'environment variable (repeatable)', collect)
    .option('-d, --detach', 'run in the background and print the container name')
    .argument('<command...>', 'command to run')
    .passThroughOptions()
    .action(async (command: string[], opts: RunOptions, cmd: Command) => {
      const spec = toSpec(command, opts);
      await withApi(cmd, async (api) => {
        if (spec.detach) {
          const c = await api.call('container.run', { spec });
          for (const w of c.Warnings ?? []) process.stderr.write(`${w}\n`);
          process.stdout.write(`${c.Name}\n`);
        } else {
          result.status = await runForeground(api, spec);
        }
      });
    });
}

export function toSpec(command: string[], o: RunOptions): RunSpec {
  const spec = defaultRunSpec(command);
  const given: string[] = [];
  const mark = (flag: string, present: unknown) => present !== undefined && given.push(flag);
  spec.name = o.name;
  spec.network = o.network ?? o.net ?? 'bridge';
  spec.publish = (o.publish ?? []).map(parsePublishSpec);
  spec.publishAll = o.publishAll ?? false;
  spec.expose = (o.expose ?? []).flatMap(parseExposeSpec);
  spec.dns = (o.dns ?? []).map(checkNameserver);
  spec.dnsSearch = o.dnsSearch ?? [];
  spec.dnsOptions = o.dnsOption ?? [];
  spec.hostname = o.hostname;
  spec.addHosts = (o.addHost ?? []).map(parseAddHost);
  spec.links = (o.link ?? []).map(parseLink);
  spec.macAddress = o.macAddress === undefined ? undefined : checkMac(o.macAddress);
  spec.ip = o.ip;
  spec.ip6 = o.ip6;
  spec.defaultGateway = o.defaultGateway;
  spec.env = (o.env ?? []).map(parseEnv);
  spec.detach = o.detach ?? false;
  mark('publish', o.publish);
  mark('publish-all', o.publishAll);
  mark('expose', o.expose);
  mark('hostname', o.hostname);
  mark('dns', o.dns);
  mark('dns-search', o.dnsSearch);
  mark('dns-option', o.dnsOption);
  mark('add-host', o.addHost);
  mark('link', o.link);
  mark('mac-address', o.macAddress);
  mark('ip', o.ip);
  mark('ip6', o.ip6);
  mark('default-gateway', o.defaultGateway);
  spec.given = given;
  return spec;
}
