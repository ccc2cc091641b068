import type { CtrnetApi, RunSpec } from '@ctrnet/core/api';
import { exitStatus, spawnChild } from './child.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Foreground `run`: the runtime makes the container and its network, this
 * process runs the command with its own terminal (so the command sees the
 * user's tty, window size and all), forwards signals to it, and reports its
 * exit, which removes the container. Resolves with the command's status.
 */
export async function runForeground(api: CtrnetApi, spec: RunSpec): Promise<number> {
  const { container, launch } = await api.call('container.runAttached', { spec, callerPid: process.pid });
  for (const w of container.Warnings ?? []) process.stderr.write(`${w}\n`);
  // Without -i the command gets no stdin, as in Docker.
  const child = await spawnChild(launch.argv, { stdio: [spec.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'], env: launch.env });
  // Signals go to the container's PID 1 once it is known; until then to the starter, whose child it will be.
  let target = child.pid;
  const forward = (sig: NodeJS.Signals) => {
    try {
      if (target) process.kill(target, sig);
    } catch {
      // already gone: its exit is on its way
    }
  };
  for (const s of FORWARDED) process.on(s, forward);
  const ended = exitStatus(child);
  if (child.pid) target = (await api.call('container.started', { id: container.Id, pid: child.pid })).pid;
  const status = await ended;
  for (const s of FORWARDED) process.off(s, forward);
  await api.call('container.exited', { id: container.Id, status });
  return status;
}
