import type { Command } from 'commander';
import { invalidArgument } from '@ctrnet/core/api';
import { attachTerminal } from '../attach/terminal-attach.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../attach/detach-keys.js';
import { followFile } from '../attach/log-follow.js';
import { table } from '../output.js';
import { withApi, type CommandResult } from '../session.js';
import { addRunOptions } from './run.js';
import { toSpec, type RunOptions } from './run-spec.js';

function timeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Digits only: Number('') is 0, so `--time=` would otherwise mean "kill at once".
  if (!/^\d+$/.test(value)) throw invalidArgument(`invalid --time ${JSON.stringify(value)}: expected whole seconds >= 0`);
  return Number(value);
}

/** Run `each` for every name; Docker's habit: print each name done, report the failures, exit 1 if any. */
async function forEach(names: string[], each: (name: string) => Promise<void>): Promise<void> {
  let failed: unknown;
  for (const name of names) {
    try {
      await each(name);
      process.stdout.write(`${name}\n`);
    } catch (err) {
      if (names.length === 1) throw err;
      process.stderr.write(`ctrnet: error: ${(err as Error).message}\n`);
      failed ??= err;
    }
  }
  if (failed) throw failed;
}

/** create, attach, restart, kill, pause, unpause, rename, top, wait. */
export function registerLifecycleCommands(program: Command, result: CommandResult): void {
  addRunOptions(
    program.command('create').description('create a container without starting it (start it with ctrnet start)').usage('[OPTIONS] [--] COMMAND [ARG...]').helpOption('--help', 'display help for command'),
  ).action(async (command: string[], opts: RunOptions, cmd: Command) => {
    const spec = toSpec(command, { ...opts, detach: true });
    await withApi(cmd, async (api) => process.stdout.write(`${(await api.call('container.create', { spec })).Id}\n`));
  });

  program
    .command('attach')
    .description("attach to a running container's terminal (or follow its output); the detach keys leave it running")
    .option('--detach-keys <keys>', `keys that detach (default ${DEFAULT_DETACH_KEYS})`)
    .option('--no-stdin', 'do not pass stdin to the container')
    .argument('<name>')
    .action(async (name: string, opts: { detachKeys?: string; stdin: boolean }, cmd: Command) => {
      const detachKeys = parseDetachKeys(opts.detachKeys ?? DEFAULT_DETACH_KEYS);
      await withApi(cmd, async (api) => {
        const target = await api.call('container.attach', { name });
        if (!target.running) throw invalidArgument(`cannot attach to container ${name}: it is not running; start it with: ctrnet start ${name}`);
        const stillRunning = async () => (await api.call('container.attach', { name }).catch(() => ({ running: false }))).running;
        if (target.tty) {
          const inspect = await api.call('container.inspect', { name });
          const end = await attachTerminal({ socket: target.socket!, interactive: opts.stdin && inspect.Config.OpenStdin, detachKeys, gate: target.gate });
          if (end === 'ended') result.status = (await api.call('container.wait', { name })).status;
        } else {
          await followFile(target.log, async () => !(await stillRunning()));
          result.status = (await api.call('container.wait', { name })).status;
        }
      });
    });

  program
    .command('restart')
    .description('stop and start containers again')
    .option('-t, --time <seconds>', 'seconds to wait before SIGKILL')
    .argument('<name...>')
    .action(async (names: string[], opts: { time?: string }, cmd: Command) => {
      const timeoutSeconds = timeout(opts.time);
      await withApi(cmd, (api) => forEach(names, async (name) => void (await api.call('container.restart', { name, timeoutSeconds }))));
    });

  program
    .command('kill')
    .description("send a signal to containers' main process (default SIGKILL)")
    .option('-s, --signal <signal>', 'signal to send', 'SIGKILL')
    .argument('<name...>')
    .action(async (names: string[], opts: { signal: string }, cmd: Command) =>
      withApi(cmd, (api) => forEach(names, async (name) => void (await api.call('container.kill', { name, signal: opts.signal })))),
    );

  for (const [verb, description] of [
    ['pause', 'freeze every process of containers'],
    ['unpause', 'thaw paused containers'],
  ] as const) {
    program
      .command(verb)
      .description(description)
      .argument('<name...>')
      .action(async (names: string[], _opts: unknown, cmd: Command) => withApi(cmd, (api) => forEach(names, async (name) => void (await api.call(`container.${verb}`, { name })))));
  }

  program
    .command('rename')
    .description('rename a container')
    .argument('<name>')
    .argument('<new-name>')
    .action(async (name: string, newName: string, _opts: unknown, cmd: Command) => withApi(cmd, async (api) => void (await api.call('container.rename', { name, newName }))));

  program
    .command('top')
    .description("list a container's processes")
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        const { titles, processes } = await api.call('container.top', { name });
        process.stdout.write(table(titles, processes));
      }),
    );

  program
    .command('wait')
    .description('wait for containers to stop, then print their exit statuses')
    .argument('<name...>')
    .action(async (names: string[], _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        for (const name of names) process.stdout.write(`${(await api.call('container.wait', { name })).status}\n`);
      }),
    );
}

