/**
 * Starting processes from the CLI (exec, a foreground run, the daemon).
 * node:child_process (and node:os for signal numbers) are imported on use:
 * most commands never start one, and loading them costs start-up time.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';

export async function spawnChild(argv: readonly string[], options: SpawnOptions): Promise<ChildProcess> {
  const { spawn } = await import('node:child_process');
  return spawn(argv[0]!, argv.slice(1), options);
}

/** Resolves with a started child's exit status, as a shell reports it (128+N when killed by signal N; 127 when it could not start). */
export async function exitStatus(child: ChildProcess): Promise<number> {
  const { constants } = await import('node:os');
  return new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
