import { ExecError } from '../exec/exec-error.js';
import type { Executor } from '../exec/executor.js';

const TITLES = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'];

/** `docker top`'s table: `ps -f` of the container's processes, as the host sees them. */
export async function topOf(exec: Executor, pids: readonly number[]): Promise<{ titles: string[]; processes: string[][] }> {
  if (pids.length === 0) return { titles: TITLES, processes: [] };
  let out: string;
  try {
    out = (await exec.run(['ps', '-o', 'user=,pid=,ppid=,c=,stime=,tty=,time=,args=', '-p', pids.join(',')])).stdout;
  } catch (err) {
    // ps exits 1 when none of the PIDs exists any more.
    if (!(err instanceof ExecError) || err.exitCode !== 1) throw err;
    out = '';
  }
  const processes = out
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return [...fields.slice(0, 7), fields.slice(7).join(' ')];
    });
  return { titles: TITLES, processes };
}
