import type { Command } from 'commander';
import { CtrnetError, invalidArgument, parseEnv, parseExposeSpec } from '@ctrnet/core/api';
import { exitStatus, spawnChild } from '../child.js';
import type { Form } from '../program.js';
import { hostSide, portLine } from '../views.js';
import { collect, withApi, type CommandResult, type UseApi } from '../session.js';

/** port, exec, stop, start, rm. */
export function registerContainerCommands(program: Command, result: CommandResult, form: Form): void {
  program
    .command('port')
    .description('list port bindings of a container')
    .argument('<name>')
    .argument('[port]', 'PORT[/PROTO] to show')
    .action(async (name: string, port: string | undefined, _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        const bindings = await api.call('container.ports', { name });
        if (!port) {
          process.stdout.write(bindings.map((b) => portLine(b) + '\n').join(''));
          return;
        }
        const [wanted] = parseExposeSpec(port);
        const matching = bindings.filter((b) => b.containerPort === wanted!.port && b.protocol === wanted!.protocol);
        if (!matching.length) throw new CtrnetError('NOT_FOUND', `no public port ${port} published for container ${name}; see: ctrnet port ${name}`);
        // Docker: with a port given, only the host side of each binding.
        process.stdout.write(matching.map((b) => hostSide(b) + '\n').join(''));
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

  const rm = program.command('rm');
  if (form === 'container') rm.alias('remove');
  rm.description('remove containers')
    .option('-f, --force', 'stop running containers first')
    .argument('<name...>')
    .action(async (names: string[], opts: RemoveOptions, cmd: Command) => removeContainers(names, opts, (work) => withApi(cmd, work)));
}

export interface RemoveOptions {
  force?: boolean;
}

/** The body of `rm` (also the fast path's, src/fast): each name as it is removed; the first failure ends it. */
export async function removeContainers(names: readonly string[], opts: RemoveOptions, use: UseApi): Promise<void> {
  await use(async (api) => {
    for (const name of names) {
      await api.call('container.remove', { name, force: opts.force ?? false });
      process.stdout.write(`${name}\n`);
    }
  });
}
