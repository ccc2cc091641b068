/**
 * `attach` for a container without a terminal: its output is the log file,
 * so attaching is following that file until the container stops (Docker
 * streams the same output to an attached client), without the log's stamps.
 */
import { followLines } from '../logs/log-reader.js';

/** Copy the log's lines to stdout, from the start and then as they are written, until `done()` says so. */
export async function followFile(path: string, done: () => Promise<boolean>): Promise<void> {
  await followLines(path, 0, (line) => process.stdout.write(`${line.text}\n`), done);
}
