/**
 * Summaries of the DNS section's runs: medians over rounds, and rounds
 * compared pairwise (run k of every contender comes from round k, within
 * seconds of the others' run k, so the machine's load was about the same).
 */
import type { LoadRun } from './dns-load.js';
import { median } from './stats.js';

/** Medians over the rounds of one contender at one concurrency. */
export interface DnsSummary {
  qps: number;
  /** Slowest and fastest round: how far the machine's load moved the figure. */
  qpsRange: [number, number];
  p50Us: number;
  p99Us: number;
  serverCpuUsPerQuery: number;
  clientCpuShare: number;
  lost: number;
  wrong: number;
}

export function summarizeDns(runs: readonly LoadRun[]): DnsSummary {
  const of = (key: 'qps' | 'p50Us' | 'p99Us' | 'serverCpuUsPerQuery' | 'clientCpuShare'): number => median(runs.map((r) => r[key]));
  const qps = runs.map((r) => r.qps);
  return {
    qps: of('qps'),
    qpsRange: [Math.min(...qps), Math.max(...qps)],
    p50Us: of('p50Us'),
    p99Us: of('p99Us'),
    serverCpuUsPerQuery: of('serverCpuUsPerQuery'),
    clientCpuShare: of('clientCpuShare'),
    lost: runs.reduce((sum, r) => sum + r.lost, 0),
    wrong: runs.reduce((sum, r) => sum + r.wrong, 0),
  };
}

/** In how many rounds `ok(a, b)` held for the runs of the same round; contenders that ran fewer rounds pair up to the shorter. */
export function roundsWhere(a: readonly LoadRun[], b: readonly LoadRun[], ok: (a: LoadRun, b: LoadRun) => boolean): [number, number] {
  const n = Math.min(a.length, b.length);
  let count = 0;
  for (let k = 0; k < n; k++) if (ok(a[k]!, b[k]!)) count++;
  return [count, n];
}
