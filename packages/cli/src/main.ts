import { Command, CommanderError, Option } from 'commander';
import { CtrnetError } from '@ctrnet/core/api';
import { registerContainerCommands } from './commands/containers.js';
import { registerNetworkCommands } from './commands/networks.js';
import { registerRunCommand } from './commands/run.js';
import { registerSystemCommands } from './commands/system.js';
import { registerEventsCommand } from './commands/events.js';
import { registerDaemonCommands } from './commands/daemon.js';
import { registerLifecycleCommands } from './commands/lifecycle.js';
import type { GlobalOptions } from './session.js';
import { VERSION } from './version.js';

/** Exit status for bad usage (cli.md): nothing was changed. */
const USAGE = 2;

/** Run the CLI; resolves with the process exit status. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('ctrnet')
    .description('container networking, one plugin at a time')
    .version(VERSION, '-v, --version')
    .option('--config <file>', 'config file (default: $CTRNET_CONFIG or /etc/ctrnet/config.json)')
    .option('--state-dir <dir>', 'state directory (default: $CTRNET_STATE_DIR, config stateDir, /var/lib/ctrnet)')
    .addOption(new Option('--debug', 'log every kernel command and show stack traces'))
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `ctrnet: ${oneLine(s)}\n` : s) });
  program.hook('preAction', async () => {
    // debug is loaded only when asked for: the thin client's start-up budget is a few milliseconds.
    if (program.opts<GlobalOptions>().debug) (await import('debug')).default.enable(['ctrnet:*', process.env.DEBUG].filter(Boolean).join(','));
  });
  const result = { status: 0 };
  const registrars = [registerRunCommand, registerContainerCommands, registerLifecycleCommands, registerNetworkCommands, registerSystemCommands, registerEventsCommand, registerDaemonCommands];
  // Registering one command's options is cheap, all of them is not: register only the group the command word belongs to.
  const word = commandWord(argv);
  const group = word === undefined ? undefined : COMMAND_GROUPS.findIndex((words) => words.includes(word));
  for (const [i, register] of registrars.entries()) if (group === undefined || group < 0 || group === i) register(program, result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.status;
  } catch (err) {
    return report(err, program.opts<GlobalOptions>().debug ?? false);
  }
}

/**
 * cli.md promises one stderr line per error; commander puts its "(Did you
 * mean --force?)" hint on a line of its own, so fold every line into one.
 */
function oneLine(message: string): string {
  return message
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

/** The command words each registrar defines, in the order of the registrars in main. */
const COMMAND_GROUPS: readonly (readonly string[])[] = [
  ['run'],
  ['ps', 'inspect', 'port', 'exec', 'stop', 'start', 'rm', 'logs'],
  ['create', 'attach', 'restart', 'kill', 'pause', 'unpause', 'rename', 'top', 'wait'],
  ['network'],
  ['system'],
  ['events'],
  ['daemon'],
];

/** Global options that take a value (skipped when looking for the command word). */
const GLOBAL_WITH_VALUE = new Set(['--config', '--state-dir']);

/** The first word of argv that is not a global option: the command, or undefined for none (help). */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function report(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version exit 0; commander already printed usage errors.
    return err.exitCode === 0 ? 0 : USAGE;
  }
  const showStack = debug || /(^|,)ctrnet(:|\*|,|$)/.test(process.env.DEBUG ?? '');
  if (err instanceof CtrnetError) {
    process.stderr.write(`ctrnet: error: ${err.message}\n`);
    if (showStack) process.stderr.write(`${err.stack}\n${'input' in err && err.input ? `input:\n${String(err.input)}` : ''}\n`);
    return err.exitStatus;
  }
  process.stderr.write(`ctrnet: error: ${(err as Error)?.message ?? String(err)}; this is a bug, please report it with the output of --debug\n`);
  if (showStack) process.stderr.write(`${(err as Error)?.stack}\n`);
  return 1;
}
