import { Command, CommanderError, Option } from 'commander';
import createDebug from 'debug';
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
  program.hook('preAction', () => {
    if (program.opts<GlobalOptions>().debug) createDebug.enable(['ctrnet:*', process.env.DEBUG].filter(Boolean).join(','));
  });
  const result = { status: 0 };
  registerRunCommand(program, result);
  registerContainerCommands(program, result);
  registerLifecycleCommands(program, result);
  registerNetworkCommands(program);
  registerSystemCommands(program);
  registerEventsCommand(program);
  registerDaemonCommands(program, result);
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

function report(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version exit 0; commander already printed usage errors.
    return err.exitCode === 0 ? 0 : USAGE;
  }
  const showStack = debug || createDebug.enabled('ctrnet:cli');
  if (err instanceof CtrnetError) {
    process.stderr.write(`ctrnet: error: ${err.message}\n`);
    if (showStack) process.stderr.write(`${err.stack}\n${'input' in err && err.input ? `input:\n${String(err.input)}` : ''}\n`);
    return err.exitStatus;
  }
  process.stderr.write(`ctrnet: error: ${(err as Error)?.message ?? String(err)}; this is a bug, please report it with the output of --debug\n`);
  if (showStack) process.stderr.write(`${(err as Error)?.stack}\n`);
  return 1;
}
