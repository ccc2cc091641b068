/**
 * One process, run to completion with plain `child_process.spawn`. The
 * coprocess executor's path for everything that must not (or need not) go
 * through a resident coprocess: 1.3–2.6 ms cheaper per process than execa
 * on these machines (`bench/exec-transport.ts`: `/bin/true` 2.4 vs 3.6 ms,
 * `nsenter ip -batch -` 4.8 vs 7.4 ms, `nsenter nft -f -` 5.5 vs 7.3 ms).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import createDebug from 'debug';
import type { ExecResult } from './executor.js';
import { ExecError } from './exec-error.js';

const debug = createDebug('ctrnet:core:spawn-once');

/** The environment every kernel command runs with: C locale, so error messages are the ones we classify. */
export function kernelEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', ...extra };
}

/** Runs argv with `input` on stdin; resolves on exit status 0, rejects with an ExecError otherwise. */
export function spawnOnce(argv: readonly string[], input?: string): Promise<ExecResult> {
  debug('%o%s', argv, input ? `\n${input}` : '');
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: kernelEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let spawnError: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => (spawnError = err));
    // The child may exit without reading its input (a usage error, a missing program).
    child.stdin.on('error', (err) => debug('stdin of %s: %s', argv[0], err.message));
    child.stdin.end(input ?? '');
    child.on('close', (code, signal) => {
      // 127 is the shell's "command not found"; 128+N its "killed by signal N".
      const exitCode = spawnError ? 127 : (code ?? 128 + signalNumber(signal ?? 'SIGKILL'));
      if (spawnError === undefined && exitCode === 0) {
        resolve({ stdout, stderr, exitCode });
        return;
      }
      const text = stderr || spawnError?.message || (signal ? `killed by ${signal}` : '');
      reject(new ExecError(argv, exitCode, text, { input, cause: spawnError, stdout }));
    });
  });
}

/** `SIGKILL` → 9, for the shell's 128+N exit status convention. */
export function signalNumber(signal: NodeJS.Signals): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}
