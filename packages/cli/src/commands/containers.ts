import { createReadStream, existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CtrnetError, invalidArgument, parseEnv, parseExposeSpec } from '@ctrnet/core/api';
import { exitStatus, spawnChild } from '../child.js';
import { ago, json, table } from '../output.js';
import { portLine, portsColumn } from '../views.js';
import { collect, withApi, type CommandResult } from '../session.js';

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

/** ps, inspect, port, exec, stop, start, rm, logs. */
export function registerContainerCommands(program: Command, result: CommandResult): void {
  program
    .command('ps')
    .description('list containers')
    .option('-a, --all', 'show stopped containers too')
    .addOption(formatOption())
    .action(async (opts: { all?: boolean; format: string }, cmd: Command) =>
      withApi(cmd, async (api) => {
        const rows = await api.call('container.list', { all: opts.all ?? false });
        if (opts.format === 'json') {
          process.stdout.write(
            json(
              rows.map((c) => ({
                Id: c.Id,
                Name: c.Name,
                Status: c.Status,
                NetworkMode: c.NetworkMode,
                IPs: c.IPs,
                Ports: c.Ports.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort, ContainerPort: b.containerPort, Protocol: b.protocol })),
                Command: c.Command,
                Created: c.Created,
              })),
            ),
          );
          return;
        }
        process.stdout.write(
          table(
            ['CONTAINER ID', 'NAME', 'STATUS', 'NETWORK', 'IP', 'PORTS', 'COMMAND', 'CREATED'],
            rows.map((c) => [
              c.Id.slice(0, 12),
              c.Name,
              c.Status === 'exited' ? `exited (${c.ExitCode ?? 0})` : c.Status,
              c.NetworkMode,
              c.IPs.join(','),
              portsColumn(c.Ports, c.Exposed),
              JSON.stringify(c.Command.join(' ').slice(0, 30)),
              ago(c.Created),
            ]),
          ),
        );
      }),
    );

  program
    .command('inspect')
    .description('show a container as JSON (Docker field names)')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        const views = [];
        for (const name of names) views.push(await api.call('container.inspect', { name }));
        process.stdout.write(json(views));
      }),
    );

  program
    .command('port')
    .description('list port bindings of a container')
    .argument('<name>')
    .argument('[port]', 'PORT[/PROTO] to show')
    .action(async (name: string, port: string | undefined, _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        let bindings = await api.call('container.ports', { name });
        if (port) {
          const [wanted] = parseExposeSpec(port);
          bindings = bindings.filter((b) => b.containerPort === wanted!.port && b.protocol === wanted!.protocol);
          if (!bindings.length) throw new CtrnetError('NOT_FOUND', `no public port ${port} published for container ${name}; see: ctrnet port ${name}`);
        }
        process.stdout.write(bindings.map((b) => portLine(b) + '\n').join(''));
      }),
    );

  program
    .command('exec')
    .description("run a command inside a running container's namespaces")
    .option('-i, --interactive', 'pass stdin to the command')
    .option('-t, --tty', "the command uses this terminal (it does anyway when there is one)")
    .option('-d, --detach', 'run the command in the background')
    .option('-e, --env <key=val>', 'environment variable (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user[:group]>', 'user (name or uid) and group')
    .argument('<name>')
    .argument('<command...>')
    .passThroughOptions()
    .action(async (name: string, command: string[], opts: { interactive?: boolean; tty?: boolean; detach?: boolean; env?: string[]; workdir?: string; user?: string }, cmd: Command) => {
      // commander keeps a `--` that follows the container name; it only separates our options from the command.
      const words = command[0] === '--' ? command.slice(1) : command;
      const env = (opts.env ?? []).map(parseEnv);
      if (opts.tty && opts.interactive && !process.stdin.isTTY) throw invalidArgument('the input device is not a TTY; drop -t (or -i), or run from a terminal');
      const launch = await withApi(cmd, (api) => api.call('container.exec', { name, command: words, env, workdir: opts.workdir, user: opts.user }));
      if (opts.detach) {
        (await spawnChild(launch.argv, { stdio: 'ignore', env: launch.env, detached: true })).unref();
        return;
      }
      result.status = await exitStatus(await spawnChild(launch.argv, { stdio: [opts.interactive || opts.tty ? 'inherit' : 'ignore', 'inherit', 'inherit'], env: launch.env }));
    });

  program
    .command('stop')
    .description('stop containers (SIGTERM, SIGKILL after --time seconds) and release their network')
    .option('-t, --time <seconds>', 'seconds to wait before SIGKILL', '10')
    .argument('<name...>')
    .action(async (names: string[], opts: { time: string }, cmd: Command) => {
      // Digits only: Number('') is 0, so `--time=` would otherwise mean "kill at once".
      const seconds = /^\d+$/.test(opts.time) ? Number(opts.time) : NaN;
      if (!Number.isInteger(seconds)) throw new CtrnetError('INVALID_ARGUMENT', `invalid --time ${JSON.stringify(opts.time)}: expected whole seconds >= 0`);
      await withApi(cmd, async (api) => {
        for (const name of names) process.stdout.write(`${(await api.call('container.stop', { name, timeoutSeconds: seconds })).Name}\n`);
      });
    });

  program
    .command('start')
    .description('start stopped containers')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        for (const name of names) process.stdout.write(`${(await api.call('container.start', { name })).Name}\n`);
      }),
    );

  program
    .command('rm')
    .description('remove containers')
    .option('-f, --force', 'stop running containers first')
    .argument('<name...>')
    .action(async (names: string[], opts: { force?: boolean }, cmd: Command) =>
      withApi(cmd, async (api) => {
        for (const name of names) {
          await api.call('container.remove', { name, force: opts.force ?? false });
          process.stdout.write(`${name}\n`);
        }
      }),
    );

  program
    .command('logs')
    .description("print what a detached container's command wrote")
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const { path } = await withApi(cmd, (api) => api.call('container.logs', { name }));
      if (!existsSync(path)) return;
      await new Promise<void>((resolve, reject) => createReadStream(path).on('error', reject).on('end', resolve).pipe(process.stdout, { end: false }));
    });
}
