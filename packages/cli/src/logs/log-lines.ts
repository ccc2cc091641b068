/**
 * The lines of a detached container's log. The supervisor (core's
 * supervisor.ts) writes each line of output as `CENTISECONDS TEXT`: when it
 * was read, in hundredths of a second since the epoch. Lines written before
 * stamping existed, or by the supervisor itself, have no stamp and count as
 * undated. Pure functions; the reading is in log-reader.ts.
 */
import { invalidArgument } from '@ctrnet/core/api';

export interface LogLine {
  /** Milliseconds since the epoch, or undefined for an undated line. */
  time?: number;
  text: string;
}

const STAMPED = /^(\d{1,15}) ([^]*)$/;

export function parseLogLine(raw: string): LogLine {
  const m = STAMPED.exec(raw);
  return m ? { time: Number(m[1]) * 10, text: m[2]! } : { text: raw };
}

/** Docker's `-t` prefix: RFC 3339 with nine fraction digits (ours are exact to 10 ms). */
export function timestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

/** What `logs` shows of the lines. */
export interface LogSelection {
  /** Only lines at or after this time (ms); undated lines are left out when set. */
  since?: number;
  /** Only lines at or before this time (ms); undated lines are left out when set. */
  until?: number;
  /** Only the last N lines (after the time filters), as `--tail N`. */
  tail?: number;
  timestamps: boolean;
}

export function selectLines(lines: readonly LogLine[], s: LogSelection): LogLine[] {
  const dated = s.since !== undefined || s.until !== undefined;
  const kept = dated ? lines.filter((l) => l.time !== undefined && l.time >= (s.since ?? -Infinity) && l.time <= (s.until ?? Infinity)) : [...lines];
  return s.tail === undefined ? kept : s.tail === 0 ? [] : kept.slice(-s.tail);
}

export function renderLine(line: LogLine, timestamps: boolean): string {
  if (!timestamps) return `${line.text}\n`;
  // An undated line gets the zero time, as Docker prints a message without one.
  return `${line.time === undefined ? '0001-01-01T00:00:00.000000000Z' : timestamp(line.time)} ${line.text}\n`;
}

/** `--tail N` or `--tail all`. */
export function parseTail(value: string | undefined): number | undefined {
  if (value === undefined || value === 'all') return undefined;
  if (!/^\d+$/.test(value)) throw invalidArgument(`invalid --tail ${JSON.stringify(value)}: expected a number of lines or "all"`);
  return Number(value);
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** Go's time.ParseDuration (`10m`, `1h30m`, `1.5s`, `-5m`), in milliseconds; undefined when it is not one. */
export function parseGoDuration(value: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(value);
  if (!m) return value === '0' ? 0 : undefined;
  let total = 0;
  for (const part of value.slice(m[1]!.length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/**
 * Docker's `--since` and `--until` (moby's timetypes.GetTimestamp): a Go
 * duration before `now` (`10m`), an RFC 3339 time or date (`2024-01-02`,
 * `2024-01-02T15:04:05Z`, local time without a zone), or Unix seconds
 * (`1700000000`, `1700000000.5`).
 */
export function parseLogTime(value: string, flag: string, now: number): number {
  const duration = parseGoDuration(value);
  if (duration !== undefined && value !== '0') return now - duration;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?(Z|[+-]\d{2}:\d{2})?$/.test(value)) {
    const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(value);
    const t = Date.parse(value.length === 10 && !hasZone ? `${value}T00:00:00` : value.replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  throw invalidArgument(`invalid ${flag} ${JSON.stringify(value)}: expected a duration such as 10m or 1h30m, a time such as 2024-01-02T15:04:05Z, or Unix seconds`);
}
