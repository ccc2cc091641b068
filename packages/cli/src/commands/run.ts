import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import {
  CtrnetError,
  checkMac,
  checkNameserver,
  defaultRunSpec,
  invalidArgument,
  parseAddHost,
  parseEnv,
  parseExposeSpec,
  parseLink,
  parsePublishSpec,
  type CtrnetApi,
  type RunSpec,
} from '@ctrnet/core/api';
import { attachTerminal } from '../attach/terminal-attach.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../attach/detach-keys.js';
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
  envFile?: string[];
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  init?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
  workdir?: string;
  user?: string;
  label?: string[];
  networkAlias?: string[];
  detachKeys?: string;
}

/** The options `run` and `create` share (Docker's names). */
export function addRunOptions(command: Command): Command {
  return command
    .option('--name <name>', 'container name')
    .option('--net <mode>', 'bridge, host, none, container:NAME or a network name')
    .option('--network <mode>', 'same as --net')
    .option('-p, --publish <spec>', 'publish a port: [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTO], or target=PORT[,published=PORT][,protocol=PROTO][,host_ip=IP] (repeatable)', collect)
    .option('-P, --publish-all', 'publish every exposed port on a free host port')
    .option('--expose <port>', 'expose PORT[-END][/PROTO] without publishing (repeatable)', collect)
    .option('--dns <ip>', 'nameserver (repeatable)', collect)
    .option('--dns-search <domain>', 'resolv.conf search domain (repeatable)', collect)
    .option('--dns-option <opt>', 'resolv.conf option (repeatable)', collect)
    .option('-h, --hostname <name>', 'container hostname')
    .option('--add-host <host=ip>', 'extra /etc/hosts line, HOST=IP or HOST:IP; IP may be host-gateway (repeatable)', collect)
    .option('--link <name[:alias]>', 'link to another container (repeatable)', collect)
    .option('--mac-address <mac>', 'MAC address of eth0')
    .option('--ip <ipv4>', 'fixed IPv4 address (user-defined networks only)')
    .option('--ip6 <ipv6>', 'fixed IPv6 address (networks with --ipv6)')
    .option('--default-gateway <ip>', 'default route via this address')
    .option('-e, --env <key=val>', 'environment variable (repeatable)', collect)
    .option('--env-file <file>', 'read environment variables from a file of KEY=VAL lines (repeatable)', collect)
    .option('-i, --interactive', 'keep stdin open and pass it to the command')
    .option('-t, --tty', 'allocate a pseudo-terminal (ctrnet attach reconnects to it)')
    .option('--rm', 'remove the container when its command exits')
    .option('--init', 'run an init (tini) as PID 1 that forwards signals and reaps zombies')
    .option('--stop-signal <signal>', 'signal stop sends first (default SIGTERM)')
    .option('--stop-timeout <seconds>', 'seconds stop waits before SIGKILL (default 10)')
    .option('-w, --workdir <dir>', 'working directory of the command')
    .option('-u, --user <user[:group]>', 'user (name or uid) and group to run the command as')
    .option('-l, --label <key=val>', 'label (repeatable)', collect)
    .option('--network-alias <name>', "another name for the container on its network, for the network's DNS (repeatable)", collect)
    .argument('<command...>', 'command to run')
    .passThroughOptions();
}

/** `ctrnet run`: options parse into a RunSpec here; everything else is validated by the runtime. */
export function registerRunCommand(program: Command, result: CommandResult): void {
  addRunOptions(
    program
      .command('run')
      .description('run a command in a new container')
      .usage('[OPTIONS] [--] COMMAND [ARG...]')
      // -h is Docker's --hostname here, so help is --help only.
      .helpOption('--help', 'display help for command')
      .option('-d, --detach', 'run in the background and print the container name')
      .option('--detach-keys <keys>', `keys that detach from a terminal (default ${DEFAULT_DETACH_KEYS})`),
  ).action(async (command: string[], opts: RunOptions, cmd: Command) => {
    const spec = toSpec(command, opts);
    const detachKeys = parseDetachKeys(opts.detachKeys ?? DEFAULT_DETACH_KEYS);
    if (spec.tty && spec.interactive && !spec.detach && !process.stdin.isTTY) {
      throw invalidArgument('the input device is not a TTY; drop -t (or -i), or run from a terminal');
    }
    await withApi(cmd, async (api) => {
      if (spec.detach) {
        const c = await api.call('container.run', { spec });
        for (const w of c.Warnings ?? []) process.stderr.write(`${w}\n`);
        process.stdout.write(`${c.Name}\n`);
      } else if (spec.tty) {
        result.status = await runWithTerminal(api, spec, detachKeys);
      } else {
        result.status = await runForeground(api, spec);
      }
    });
  });
}

/**
 * Foreground `run -t`: the container starts under its supervisor with a
 * terminal, held while nobody is attached; this process attaches to it. The
 * detach keys leave it running (exit status 0); otherwise the command's
 * status is run's.
 */
async function runWithTerminal(api: CtrnetApi, spec: RunSpec, detachKeys: Buffer): Promise<number> {
  const c = await api.call('container.run', { spec });
  for (const w of c.Warnings ?? []) process.stderr.write(`${w}\n`);
  const target = await api.call('container.attach', { name: c.Id });
  const end = await attachTerminal({ socket: target.socket!, interactive: spec.interactive, detachKeys, gate: target.gate });
  if (end === 'detached') return 0;
  return (await api.call('container.wait', { name: c.Id })).status;
}

/** `--env-file`: KEY=VAL lines; blank lines and `#` comments skipped; a bare KEY copies the caller's value (Docker's format). */
function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CtrnetError('INVALID_ARGUMENT', `cannot read --env-file ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give a readable file of KEY=VAL lines`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw invalidArgument(`invalid ${flag} ${JSON.stringify(value)}: expected whole seconds >= 0`);
  return Number(value);
}

function labels(values: string[] | undefined): [string, string][] {
  return (values ?? []).map((kv) => {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (!key) throw invalidArgument(`invalid --label ${JSON.stringify(kv)}: expected KEY=VALUE (or KEY)`);
    return [key, eq < 0 ? '' : kv.slice(eq + 1)];
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
  // Docker's order: env files first, then -e, so -e wins.
  spec.env = [...(o.envFile ?? []).flatMap(readEnvFile), ...(o.env ?? [])].map(parseEnv);
  spec.detach = o.detach ?? false;
  spec.interactive = o.interactive ?? false;
  spec.tty = o.tty ?? false;
  spec.rm = o.rm ?? false;
  spec.init = o.init ?? false;
  spec.stopSignal = o.stopSignal;
  spec.stopTimeout = seconds(o.stopTimeout, '--stop-timeout');
  spec.workdir = o.workdir;
  spec.user = o.user;
  spec.labels = labels(o.label);
  spec.networkAliases = o.networkAlias ?? [];
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
