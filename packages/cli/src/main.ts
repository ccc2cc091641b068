import { CommanderError } from 'commander';
import { CtrnetError } from '@ctrnet/core/api';
import { buildProgram, commandWords } from './program.js';
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
