import { CommanderError } from 'commander';
import { buildProgram, commandWords } from './program.js';
import { reportError } from './report.js';
import type { GlobalOptions } from './session.js';

/** Exit status for bad usage (cli.md): nothing was changed. */
const USAGE = 2;

/** Run the CLI; resolves with the process exit status. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const args = helpAsFlag(argv);
  const result = { status: 0 };
  const words = commandWords(args);
  const program = buildProgram(result, words);
  program.hook('preAction', async () => {
    // debug is loaded only when asked for: the thin client's start-up budget is a few milliseconds.
    if (program.opts<GlobalOptions>().debug) (await import('debug')).default.enable(['ctrnet:*', process.env.DEBUG].filter(Boolean).join(','));
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return result.status;
  } catch (err) {
    return report(err, program.opts<GlobalOptions>().debug ?? false);
  }
}

/**
 * `ctrnet help network create` is `ctrnet network create --help` (commander's
 * own help command looks one level down only).
 */
function helpAsFlag(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '--state-dir') i++;
    else if (!arg.startsWith('-')) return arg === 'help' ? [...argv.slice(0, i), ...argv.slice(i + 1), '--help'] : argv;
  }
  return argv;
}

function report(err: unknown, debug: boolean): number {
  // Help and version exit 0; commander already printed usage errors.
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE;
  return reportError(err, debug);
}
