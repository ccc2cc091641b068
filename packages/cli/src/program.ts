/**
 * The command tree. Registering every command's options costs start-up time
 * that a one-request thin client cannot afford, so the table below says which
 * command words each registrar defines, and {@link buildProgram} registers
 * only the group the command line needs. A unit test keeps the table in step
 * with what the registrars really define.
 */
import { Command, Option } from 'commander';
import { acceptShortEquals } from './argv.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerContainerCommands } from './commands/containers.js';
import { registerDaemonCommands } from './commands/daemon.js';
import { registerEventsCommand } from './commands/events.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerLifecycleCommands } from './commands/lifecycle.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerNetworkCommands } from './commands/networks.js';
import { registerContainerPrune } from './commands/prune.js';
import { registerPsCommand } from './commands/ps.js';
import { registerRunCommand } from './commands/run.js';
import { registerSystemCommands } from './commands/system.js';
import type { CommandResult } from './session.js';
import { VERSION } from './version.js';

/** Where a registrar defines its commands: at the top (`ctrnet ps`) or under `ctrnet container` (`ctrnet container ls`). */
export type Form = 'top' | 'container';

export type Registrar = (parent: Command, result: CommandResult, form: Form) => void;

export interface CommandGroup {
  /** Command words (names and aliases) the registrar defines at the top. */
  top: readonly string[];
  /** Command words it defines under `container`. */
  container: readonly string[];
  register: Registrar;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { top: ['run'], container: ['run'], register: registerRunCommand },
  { top: ['ps'], container: ['ls', 'list', 'ps'], register: registerPsCommand },
  { top: ['inspect'], container: ['inspect'], register: registerInspectCommand },
  { top: ['port', 'exec', 'stop', 'start', 'rm'], container: ['port', 'exec', 'stop', 'start', 'rm', 'remove'], register: registerContainerCommands },
  { top: ['logs'], container: ['logs'], register: registerLogsCommand },
  {
    top: ['create', 'attach', 'restart', 'kill', 'pause', 'unpause', 'rename', 'top', 'wait'],
    container: ['create', 'attach', 'restart', 'kill', 'pause', 'unpause', 'rename', 'top', 'wait'],
    register: registerLifecycleCommands,
  },
  { top: [], container: ['prune'], register: registerContainerPrune },
  { top: ['network'], container: [], register: registerNetworkCommands },
  { top: ['system'], container: [], register: registerSystemCommands },
  { top: ['events'], container: [], register: registerEventsCommand },
  { top: ['daemon'], container: [], register: registerDaemonCommands },
  { top: ['completion', '__complete'], container: [], register: registerCompletionCommand },
];

/** Global options that take a value (skipped when looking for the command word). */
const GLOBAL_WITH_VALUE = new Set(['--config', '--state-dir']);

/** The words of argv that are not global options, in order: the command path and its operands. */
export function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
    else if (words.length) break;
  }
  return words;
}

/**
 * The program with the commands `words` need: the group of the first word
 * (or of the word after `container`). No words (help, version) gives every
 * top-level command, an unknown word every command (for commander's error
 * and suggestions), and `undefined` the whole tree (the reference, completion).
 */
export function buildProgram(result: CommandResult, words?: readonly string[]): Command {
  const program = new Command('ctrnet')
    .description('container networking, one plugin at a time')
    .version(VERSION, '-v, --version')
    .option('--config <file>', 'config file (default: $CTRNET_CONFIG or /etc/ctrnet/config.json)')
    .option('--state-dir <dir>', 'state directory (default: $CTRNET_STATE_DIR, config stateDir, /var/lib/ctrnet)')
    .addOption(new Option('--debug', 'log every kernel command and show stack traces'))
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `ctrnet: ${oneLine(s)}\n` : s) });
  const [first, second] = words ?? [];
  const known = first === undefined || first === 'container' || COMMAND_GROUPS.some((g) => g.top.includes(first));
  const full = words === undefined || !known;
  for (const g of COMMAND_GROUPS) {
    if (g.top.length && (full || first === undefined || g.top.includes(first!))) g.register(program, result, 'top');
  }
  if (full || first === undefined || first === 'container') {
    const container = program.command('container').description('manage containers (Docker\'s "docker container" forms)');
    const chosen = first === 'container' && second !== undefined ? COMMAND_GROUPS.filter((g) => g.container.includes(second)) : [];
    // `ctrnet --help` lists `container` without its subcommands: registering them costs start-up time.
    if (full || first === 'container') for (const g of chosen.length ? chosen : COMMAND_GROUPS.filter((x) => x.container.length)) g.register(container, result, 'container');
  }
  acceptShortEquals(program);
  return program;
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
