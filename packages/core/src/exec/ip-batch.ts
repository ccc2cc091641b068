/**
 * `ip -batch` lines and their failures, shared by the resident `ip`
 * coprocess (`ip-channel.ts`) and the short-lived `ip -batch -` process the
 * coprocess executor spawns for everything the coprocess must not see.
 */
import { CtrnetError } from '../errors.js';
import type { IpCommand } from './executor.js';
import { ExecError } from './exec-error.js';
import { spawnOnce } from './spawn-once.js';

/** What one line of a batch wrote to stderr when it failed. */
export interface LineFailure {
  /** 1-based line of the batch. */
  line: number;
  /** Its error message(s), ending in `Command failed -:LINE` as `ip -batch` prints them. */
  stderr: string;
}

/**
 * One command as a batch line. ip splits lines on blanks, and names are
 * validated before they get here (no blanks or quotes), so joining with a
 * space is lossless. A newline, or a backslash (ip's line continuation),
 * would merge or split lines and, in a resident coprocess, swallow the
 * sentinel that ends a request.
 */
export function batchLine(command: IpCommand): string {
  if (command.some((token) => /[\n\r\\]/.test(token))) {
    throw new CtrnetError('INTERNAL', `ip command ${JSON.stringify(command)} contains a newline or a backslash and cannot go into an ip batch`);
  }
  return command.join(' ');
}

/** Batch text, one line per command, as `ip -batch -` reads it. */
export function batchText(commands: readonly IpCommand[]): string {
  return commands.map((c) => `${batchLine(c)}\n`).join('');
}

/**
 * True when a command names a network namespace (`... netns NAME|PATH|PID`,
 * `link-netns NAME`, or a `netns` verb other than add/attach/delete). `ip`
 * opens that namespace and never closes it, so a long-lived `ip` would keep
 * the namespace, and every veth in it, alive after `ip netns delete`. Such
 * commands only ever run in a process that exits when its batch is done.
 * (`netns attach NAME PID` bind-mounts /proc/PID/ns/net by its path: no fd.)
 */
export function namesNamespace(command: IpCommand): boolean {
  if (command[0] === 'netns') return !['add', 'attach', 'delete', 'del'].includes(command[1] ?? '');
  return command.some((token, i) => i > 0 && (token === 'netns' || token === 'link-netns'));
}

/**
 * Splits the stderr of an `ip -batch` run into the failures of its lines
 * (ip ends each with `Command failed -:N`); `rest` is what follows the last
 * one, non-blank when ip (or nsenter) gave up outside any line.
 */
export function lineFailures(stderr: string): { failures: LineFailure[]; rest: string } {
  const failures: LineFailure[] = [];
  let start = 0;
  for (const match of stderr.matchAll(/^Command failed -:(\d+)\n?/gm)) {
    const end = match.index + match[0].length;
    failures.push({ line: Number(match[1]), stderr: stderr.slice(start, end) });
    start = end;
  }
  return { failures, rest: stderr.slice(start) };
}

/**
 * The error of a batch whose lines failed, naming the line: the first one,
 * or in teardown mode (`ignoreMissing`) the first whose failure is not
 * "no such object"; undefined when teardown mode has nothing to report.
 * `argv` is the failed line's command, prefixed with what enters the
 * namespace it ran in, so it can be rerun alone.
 */
export function batchError(
  prefix: readonly string[],
  commands: readonly IpCommand[],
  failures: readonly LineFailure[],
  options: { ignoreMissing: boolean; input: string },
): ExecError | undefined {
  for (const failure of failures) {
    const command = commands[failure.line - 1] ?? [];
    const err = new ExecError([...prefix, 'ip', ...command], 1, failure.stderr, { input: options.input, line: failure.line });
    if (!(options.ignoreMissing && err.kind === 'missing')) return err;
  }
  return undefined;
}

/**
 * Runs a batch in a short-lived `ip -batch -` (with `-force` in teardown
 * mode), in the namespace `prefix` enters. Same contract as the resident
 * channel: without `ignoreMissing` the first failure stops the batch.
 */
export async function spawnBatch(prefix: readonly string[], commands: readonly IpCommand[], ignoreMissing: boolean): Promise<void> {
  const input = batchText(commands);
  try {
    await spawnOnce([...prefix, 'ip', ...(ignoreMissing ? ['-force'] : []), '-batch', '-'], input);
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    const { failures, rest } = lineFailures(err.stderr);
    if (failures.length === 0 || rest.trim()) {
      // ip exited on a malformed argument, or nsenter or ip could not start:
      // no line to name. A namespace that is gone counts as torn down.
      if (ignoreMissing && err.kind === 'missing') return;
      throw err;
    }
    const named = batchError(prefix, commands, failures, { ignoreMissing, input });
    if (named) throw named;
  }
}
