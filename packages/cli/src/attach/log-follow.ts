/**
 * `attach` for a container without a terminal: its output is the log file,
 * so attaching is following that file until the container stops (Docker
 * streams the same output to an attached client).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Copy `path` to stdout from `start` onwards, following it until `done()` says so; returns the offset reached. */
export async function followFile(path: string, start: number, done: () => Promise<boolean>, pollMs = 100): Promise<number> {
  let offset = start;
  for (;;) {
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size > offset) {
      await new Promise<void>((resolve, reject) =>
        createReadStream(path, { start: offset, end: size - 1 }).on('error', reject).on('end', resolve).pipe(process.stdout, { end: false }),
      );
      offset = size;
    }
    if (await done()) return offset;
    await sleep(pollMs);
  }
}
