import type { RunnerResult } from './results.js';
import type { PhaseStats } from './stats.js';

interface Row {
  label: string;
  value(r: RunnerResult): number | undefined;
  /** Digits after the point. */
  digits: number;
}

function phaseRows(phase: 'setup' | 'teardown'): Row[] {
  const pick = (f: (s: PhaseStats) => number) => (r: RunnerResult) => (r[phase] ? f(r[phase]) : undefined);
  return [
    { label: `${phase} median 1-10 (ms)`, value: pick((s) => s.first10.median), digits: 1 },
    { label: `${phase} p90 1-10 (ms)`, value: pick((s) => s.first10.p90), digits: 1 },
    { label: `${phase} median last 10 (ms)`, value: pick((s) => s.last10.median), digits: 1 },
    { label: `${phase} p90 last 10 (ms)`, value: pick((s) => s.last10.p90), digits: 1 },
    { label: `${phase} total (ms)`, value: pick((s) => s.totalMs), digits: 0 },
  ];
}

const ROWS: Row[] = [
  ...phaseRows('setup'),
  ...phaseRows('teardown'),
  { label: 'peak RSS (MiB)', value: (r) => (r.rss ? r.rss.kib / 1024 : undefined), digits: 1 },
];

/**
 * The side-by-side table: one value column per runner and, after each runner
 * but the baseline (the first that finished), its ratio to the baseline.
 */
export function renderTable(results: readonly RunnerResult[]): string {
  const base = results.find((r) => r.status === 'ok');
  const hasRatio = (r: RunnerResult): boolean => base !== undefined && r !== base && r.status === 'ok';
  const header = ['', ...results.flatMap((r) => (hasRatio(r) ? [r.runner, `x${base!.runner}`] : [r.runner]))];
  const body = ROWS.map((row) => [
    row.label,
    ...results.flatMap((r) => {
      const v = row.value(r);
      const cell = r.status !== 'ok' ? r.status.toUpperCase() : v === undefined ? 'n/a' : v.toFixed(row.digits);
      if (!hasRatio(r)) return [cell];
      const b = row.value(base!);
      return [cell, v !== undefined && b ? (v / b).toFixed(2) : '-'];
    }),
  ]);
  const sources = results.map((r) => `${r.runner}: ${r.rss ? r.rss.source : 'n/a'}`).join(', ');
  return [formatColumns(header, body), `RSS measured by ${sources}`].join('\n');
}

/** Plain-text columns: the first (and any in `left`) left-aligned, the others right-aligned, a dashed rule under the header. */
export function formatColumns(header: readonly string[], body: readonly (readonly string[])[], left: readonly number[] = []): string {
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((l) => (l[c] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 || left.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(format)].join('\n');
}
