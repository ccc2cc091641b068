import { readFileSync } from 'node:fs';

/** The PIDs of `pids` that still run (a zombie is dead: PID 1 here reaps orphans slowly). */
export function aliveProcesses(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    } catch {
      return false;
    }
  });
}

/** Prints a measured duration beside mocha's output, for the figures in the README. */
export function reportTiming(what: string, ms: number): void {
  process.stdout.write(`      [timing] ${what}: ${ms} ms\n`);
}
