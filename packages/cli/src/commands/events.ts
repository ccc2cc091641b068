import { Option, type Command } from 'commander';
import { CtrnetError, LIFECYCLE_EVENT_NAMES, type EventRecord } from '@ctrnet/core/api';
import { collect, withApi } from '../session.js';

interface EventsOptions {
  since?: string;
  filter?: string[];
  format: string;
  follow: boolean;
}

/** `ctrnet events`: the lifecycle journal, then new events as they are written. */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('stream lifecycle events from the journal')
    .option('--since <time>', 'show events since an ISO time or a duration such as 10m')
    .option('-f, --filter <key=value>', 'container=NAME|ID, type=container|network|endpoint|port, event=NAME (repeatable)', collect)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-follow', 'print past events and exit')
    .action(async (opts: EventsOptions, cmd: Command) => {
      const since = parseSince(opts.since);
      const match = eventFilter(opts.filter ?? []);
      const show = (e: EventRecord) => {
        if (Date.parse(e.time) >= since && match(e)) process.stdout.write(render(e, opts.format));
      };
      await withApi(cmd, async (api) => {
        let last = 0;
        for (let batch = await api.call('events.list', {}); batch.length; batch = await api.call('events.list', { after: last })) {
          for (const e of batch) show(e);
          last = batch[batch.length - 1]!.seq;
        }
        if (!opts.follow) return;
        const stop = new AbortController();
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
        await api.follow(last, show, stop.signal);
      });
    });
}

function parseSince(value: string | undefined): number {
  if (!value) return 0;
  const duration = /^(\d+)(s|m|h|d)$/.exec(value);
  if (duration) return Date.now() - Number(duration[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[duration[2] as 's']!;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CtrnetError('INVALID_ARGUMENT', `invalid --since ${JSON.stringify(value)}: expected an ISO time or a duration such as 10m`);
  return t;
}

function eventFilter(filters: string[]): (e: EventRecord) => boolean {
  const tests = filters.map((f) => {
    const [key, value] = f.split('=', 2);
    if (!value) throw new CtrnetError('INVALID_ARGUMENT', `invalid --filter ${JSON.stringify(f)}: expected KEY=VALUE`);
    switch (key) {
      case 'container':
        return (e: EventRecord) => e.actorName === value || (e.actorId ?? '').startsWith(value);
      case 'type': {
        const types = [...new Set(LIFECYCLE_EVENT_NAMES.map((name) => name.split('.')[0]!))];
        if (!types.includes(value)) throw new CtrnetError('INVALID_ARGUMENT', `unknown event type ${JSON.stringify(value)} in --filter; valid: ${types.join(', ')}`);
        return (e: EventRecord) => e.type.split('.')[0] === value;
      }
      case 'event':
        if (!(LIFECYCLE_EVENT_NAMES as readonly string[]).includes(value)) {
          throw new CtrnetError('INVALID_ARGUMENT', `unknown event ${JSON.stringify(value)}; valid: ${LIFECYCLE_EVENT_NAMES.join(', ')}`);
        }
        return (e: EventRecord) => e.type === value;
      default:
        throw new CtrnetError('INVALID_ARGUMENT', `unknown filter key ${JSON.stringify(key)}; valid: container, type, event`);
    }
  });
  return (e) => tests.every((t) => t(e));
}

function render(e: EventRecord, format: string): string {
  if (format === 'json') return JSON.stringify({ time: e.time, type: e.type, actor: { id: e.actorId, name: e.actorName }, payload: e.payload }) + '\n';
  const [kind, action] = e.type.split('.');
  return `${e.time} ${kind} ${action} ${e.actorId ?? ''} (name=${e.actorName ?? ''})\n`;
}
