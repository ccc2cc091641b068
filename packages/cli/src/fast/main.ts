/**
 * The fast path: `run -d`, `rm` and `ps` sent straight to a ctrnetd that
 * serves this config, with none of commander, the command tree or the
 * runtime loaded. bin/ctrnet.js runs it first, from a bundle of its own
 * (dist/bundle/fast.cjs, about a tenth of the full program's code); when it
 * answers `undefined` nothing was done and the full program runs the line,
 * which then chooses in-process or reports what is wrong as usual. The
 * bodies are the commands' own, so output and exit status are the same.
 */
import { DaemonUnavailable, HttpApi, locateDaemon } from '@ctrnet/client';
import { removeContainers } from '../commands/containers.js';
import { listContainers } from '../commands/ps.js';
import { toSpec } from '../commands/run-spec.js';
import { runDetached } from '../commands/run.js';
import { reportError } from '../report.js';
import type { UseApi } from '../session.js';
import { readCommonLine } from './argv.js';

/** The exit status of a line it ran, or undefined when the full program must run it. */
export async function fastMain(argv: readonly string[]): Promise<number | undefined> {
  // $DEBUG turns on the full program's logging, which this path does not load.
  if (process.env.DEBUG) return undefined;
  const line = readCommonLine(argv);
  if (!line) return undefined;
  const where = locateDaemon(line.inputs);
  if (where.mode === 'never') return undefined;
  const api = new HttpApi(where.socketPath, where.fingerprint);
  const use: UseApi = (work) => work(api);
  try {
    if (line.command === 'run') await runDetached(api, toSpec(line.operands, line.opts));
    else if (line.command === 'rm') await removeContainers(line.operands, line.opts, use);
    else await listContainers(line.opts, use);
    return 0;
  } catch (err) {
    // No daemon serves us, and nothing was sent: in-process, or `daemon: required`'s error, is the full program's to say.
    if (err instanceof DaemonUnavailable && !api.answered) return undefined;
    return reportError(err, false);
  }
}
