/**
 * How a failed command ends (cli.md): one `ctrnet: error:` line on stderr,
 * the stack only when debugging, and the error's exit status. Shared by the
 * full program and the fast path, so both end alike.
 */
import { CtrnetError } from '@ctrnet/core/api';

/** Print `err` and give the exit status. `debug`: --debug was given. */
export function reportError(err: unknown, debug: boolean): number {
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
