import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CtrnetError, parseExposeSpec } from '@ctrnet/core';
import { ago, json, table } from '../output.js';
import { inspectContainer, portLine, portsColumn } from '../views.js';
import { withRuntime, type CommandResult } from '../session.js';

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

/** ps, inspect, port, exec, stop, start, rm, logs. */
export function registerContainerCommands(program: Command, result: CommandResult): void {
  program
    .command('ps')
    .description('list containers')
    .option('-a, --all', 'show stopped containers too')
    .addOption(formatOption())
    .action(async (opts: { all?: boolean; format: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const rows = rt.containers.list(opts.all ?? false).map((c) => {
          const ips = rt.ctx.store.endpointsOfContainer(c.id).map((e) => e.ipv4).filter(Boolean) as string[];
          const bindings = rt.ctx.store.portsOfContainer(c.id);
          return { c, ips, bindings };
        });
        if (opts.format === 'json') {
          process.stdout.write(
            json(
              rows.map(({ c, ips, bindings }) => ({
                Id: c.id,
                Name: c.name,
                Status: c.status,
                NetworkMode: c.networkMode,
                IPs: ips,
                Ports: bindings.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort, ContainerPort: b.containerPort, Protocol: b.protocol })),
                Command: c.spec.command,
                Created: c.created,
              })),
            ),
          );
          return;
        }
        process.stdout.write(
          table(
            ['CONTAINER ID', 'NAME', 'STATUS', 'NETWORK', 'IP', 'PORTS', 'COMMAND', 'CREATED'],
            rows.map(({ c, ips, bindings }) => [
              c.id.slice(0, 12),
              c.name,
              c.status === 'exited' ? `exited (${c.exitCode ?? 0})` : c.status,
              c.networkMode,
              ips.join(','),
              portsColumn(bindings, c.spec.expose),
              JSON.stringify(c.spec.command.join(' ').slice(0, 30)),
              ago(c.created),
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
      withRuntime(cmd, async (rt) => {
        const views = names.map((n) => inspectContainer(rt.ctx.store, rt.containers.get(n), (id) => rt.ctx.store.network(id)));
        process.stdout.write(json(views));
      }),
    );

  program
    .command('port')
    .description('list port bindings of a container')
    .argument('<name>')
    .argument('[port]', 'PORT[/PROTO] to show')
    .action(async (name: string, port: string | undefined, _opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const c = rt.containers.get(name);
        let bindings = rt.ctx.store.portsOfContainer(c.id);
        if (port) {
          const [wanted] = parseExposeSpec(port);
          bindings = bindings.filter((b) => b.containerPort === wanted!.port && b.protocol === wanted!.protocol);
          if (!bindings.length) throw new CtrnetError('NOT_FOUND', `no public port ${port} published for container ${c.name}; see: ctrnet port ${c.name}`);
        }
        process.stdout.write(bindings.map((b) => portLine(b) + '\n').join(''));
      }),
    );

  program
    .command('exec')
    .description("run a command inside a running container's namespaces")
    .argument('<name>')
    .argument('<command...>')
    .passThroughOptions()
    .action(async (name: string, command: string[], _opts: unknown, cmd: Command) => {
      // commander keeps a `--` that follows the container name; it only separates our options from the command.
      const words = command[0] === '--' ? command.slice(1) : command;
      const argv = await withRuntime(cmd, async (rt) => rt.containers.execArgv(name, words));
      result.status = await new Promise<number>((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
        child.on('error', () => resolve(127));
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
      });
    });

  program
    .command('stop')
    .description('stop containers (SIGTERM, SIGKILL after --time seconds) and release their network')
    .option('-t, --time <seconds>', 'seconds to wait before SIGKILL', '10')
    .argument('<name...>')
    .action(async (names: string[], opts: { time: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        // Digits only: Number('') is 0, so `--time=` would otherwise mean "kill at once".
        const seconds = /^\d+$/.test(opts.time) ? Number(opts.time) : NaN;
        if (!Number.isInteger(seconds)) throw new CtrnetError('INVALID_ARGUMENT', `invalid --time ${JSON.stringify(opts.time)}: expected whole seconds >= 0`);
        for (const name of names) process.stdout.write(`${(await rt.containers.stop(name, seconds * 1000)).name}\n`);
      }),
    );

  program
    .command('start')
    .description('start stopped containers')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        for (const name of names) process.stdout.write(`${(await rt.containers.start(name)).name}\n`);
      }),
    );

  program
    .command('rm')
    .description('remove containers')
    .option('-f, --force', 'stop running containers first')
    .argument('<name...>')
    .action(async (names: string[], opts: { force?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        for (const name of names) {
          await rt.containers.remove(name, opts.force ?? false);
          process.stdout.write(`${name}\n`);
        }
      }),
    );

  program
    .command('logs')
    .description("print what a detached container's command wrote")
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        const path = rt.containers.logPath(name);
        if (!existsSync(path)) return;
        await new Promise<void>((resolve, reject) => createReadStream(path).on('error', reject).on('end', resolve).pipe(process.stdout, { end: false }));
      }),
    );
}
