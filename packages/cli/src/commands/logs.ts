import type { Command } from 'commander';
import type { CtrnetApi } from '@ctrnet/core/api';
import { parseLogTime, parseTail, renderLine, selectLines, type LogLine, type LogSelection } from '../logs/log-lines.js';
import { followLines, readLines } from '../logs/log-reader.js';
import { withApi } from '../session.js';

interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

/** `logs`: what a detached container's command printed (stdout and stderr merged), each line stamped when it was written. */
export function registerLogsCommand(parent: Command): void {
  parent
    .command('logs')
    .description("print what a detached container's command wrote (stdout and stderr, merged)")
    .option('-f, --follow', 'keep printing new output until the container stops')
    .option('-n, --tail <lines>', 'only the last N lines, or "all"', 'all')
    .option('--since <time>', 'only lines since a time (2024-01-02T15:04:05Z, Unix seconds) or a duration ago (10m, 1h30m)')
    .option('--until <time>', 'only lines before a time or a duration ago')
    .option('-t, --timestamps', 'prefix each line with the time it was written (RFC 3339, 10 ms resolution)')
    .argument('<name>')
    .action(async (name: string, opts: LogsOptions, cmd: Command) => {
      const now = Date.now();
      const selection: LogSelection = {
        tail: parseTail(opts.tail),
        since: opts.since === undefined ? undefined : parseLogTime(opts.since, '--since', now),
        until: opts.until === undefined ? undefined : parseLogTime(opts.until, '--until', now),
        timestamps: opts.timestamps ?? false,
      };
      await withApi(cmd, async (api) => {
        const { path } = await api.call('container.logs', { name });
        const { lines, offset } = readLines(path);
        process.stdout.write(selectLines(lines, selection).map((l) => renderLine(l, selection.timestamps)).join(''));
        // Docker: following stops at --until, and at once for a container that is not running.
        if (opts.follow && (selection.until === undefined || selection.until > Date.now())) await follow(api, name, path, offset, selection);
      });
    });
}

async function follow(api: CtrnetApi, name: string, path: string, offset: number, selection: LogSelection): Promise<void> {
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  const show = (line: LogLine) => {
    if (selectLines([line], { ...selection, tail: undefined }).length) process.stdout.write(renderLine(line, selection.timestamps));
  };
  // Docker follows a paused container too.
  const running = async () => ['running', 'paused'].includes(await api.call('container.inspect', { name }).then((c) => c.State.Status, () => 'gone'));
  await followLines(path, offset, show, async () => stop.signal.aborted || (selection.until !== undefined && Date.now() > selection.until) || !(await running()));
}
