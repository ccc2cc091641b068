/** Reading a detached container's log file: what is there, then what is added, line by line. */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseLogLine, type LogLine } from './log-lines.js';

/** The complete lines of `path` from byte `offset` on, and the offset after the last of them. */
export function readLines(path: string, offset = 0): { lines: LogLine[]; offset: number } {
  if (!existsSync(path)) return { lines: [], offset };
  const size = statSync(path).size;
  if (size <= offset) return { lines: [], offset };
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  // A line the supervisor is still writing waits for its newline.
  const end = buffer.lastIndexOf(0x0a) + 1;
  const text = buffer.subarray(0, end).toString('utf8');
  const lines = text ? text.slice(0, -1).split('\n').map(parseLogLine) : [];
  return { lines, offset: offset + end };
}

/** Hand every line added to `path` after `offset` to `onLine`, until `done()` says so (checked after each poll). */
export async function followLines(path: string, offset: number, onLine: (line: LogLine) => void, done: () => Promise<boolean>, pollMs = 100): Promise<void> {
  for (let at = offset; ; ) {
    const read = readLines(path, at);
    read.lines.forEach(onLine);
    at = read.offset;
    if (await done()) {
      // What was written before the end was noticed.
      readLines(path, at).lines.forEach(onLine);
      return;
    }
    await sleep(pollMs);
  }
}
