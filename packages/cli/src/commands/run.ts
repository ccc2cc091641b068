import { type Command } from 'commander';
import { invalidArgument, type CtrnetApi, type RunSpec } from '@ctrnet/core/api';
import { attachTerminal } from '../attach/terminal-attach.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../attach/detach-keys.js';
import { runForeground } from '../foreground.js';
import { collect, withApi, type CommandResult } from '../session.js';
import { toSpec, type RunOptions } from './run-spec.js';

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
        await runDetached(api, spec);
      } else if (spec.tty) {
        result.status = await runWithTerminal(api, spec, detachKeys);
      } else {
        result.status = await runForeground(api, spec);
      }
    });
  });
}

/** `run -d`: the container's warnings on stderr, its name on stdout (also the fast path's, src/fast). */
export async function runDetached(api: CtrnetApi, spec: RunSpec): Promise<void> {
  const c = await api.call('container.run', { spec });
  for (const w of c.Warnings ?? []) process.stderr.write(`${w}\n`);
  process.stdout.write(`${c.Name}\n`);
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

