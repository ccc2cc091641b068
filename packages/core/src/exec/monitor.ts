import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import createDebug from 'debug';

const debug = createDebug('ctrnet:core:monitor');

/** Pause before restarting a monitor that exited (a missing program must not spin). */
const RESTART_MS = 1000;

/**
 * Run `argv` for as long as the caller wants its output, line by line,
 * restarting it when it exits. Returns the function that stops it (by the
 * PID it started).
 */
export function monitorCommand(argv: readonly string[], onLine: (line: string) => void): () => void {
  let child: ChildProcess | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    if (stopped) return;
    // --pdeathsig: the monitor dies with us even by SIGKILL; it reads no stdin, so nothing else would tell it.
    child = spawn('setpriv', ['--pdeathsig', 'TERM', '--', ...argv], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    debug('started %o (pid %d)', argv, child.pid);
    createInterface({ input: child.stdout! }).on('line', onLine);
    child.on('error', (err) => debug('%o failed: %s', argv, err.message));
    child.on('close', () => {
      if (!stopped) timer = setTimeout(start, RESTART_MS).unref();
    });
  };
  start();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    child?.kill('SIGTERM');
  };
}
