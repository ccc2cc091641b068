import { cpus, loadavg, release } from 'node:os';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from './harness.js';
import { phaseStats, type PhaseStats } from './stats.js';
import { linePlot, type Series } from './svg.js';

/** One runner's raw samples plus their summaries (absent when it did not finish). */
export interface RunnerResult extends RunRecord {
  setup?: PhaseStats;
  teardown?: PhaseStats;
}

/** The JSON file: enough to redraw the table and plots, and to compare runs across machines. */
export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  n: number;
  /** loadavg1 is taken at the start: a busy machine makes every figure noisier. */
  machine: { kernel: string; cpus: number; cpuModel: string; node: string; loadavg1: number };
  runners: RunnerResult[];
}

export function withStats(record: RunRecord): RunnerResult {
  if (record.status !== 'ok') return record;
  return { ...record, setup: phaseStats(record.setupMs), teardown: phaseStats(record.teardownMs as number[]) };
}

export function machineInfo(): BenchResults['machine'] {
  const cpu = cpus();
  return { kernel: release(), cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, loadavg1: loadavg()[0]! };
}

/** Writes via a .tmp file and rename so a reader never sees half a file. */
function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function plot(results: BenchResults, phase: 'setupMs' | 'teardownMs', title: string, yLabel: string): string {
  const series: Series[] = results.runners
    .filter((r) => r[phase].some((v) => v !== null))
    .map((r) => ({ name: r.status === 'ok' ? r.runner : `${r.runner} (${r.status})`, points: r[phase].map((y, k) => [k + 1, y] as const) }));
  return linePlot({ title, xLabel: 'container index (= containers present)', yLabel, series });
}

/** Writes <timestamp>.json, latest.json and the two plots into `dir`; returns the paths written. */
export function writeResults(dir: string, results: BenchResults): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(results, null, 2) + '\n';
  const files: [string, string][] = [
    [`${stamp}.json`, json],
    ['latest.json', json],
    ['latest-setup.svg', plot(results, 'setupMs', `Setup time per container, N=${results.n}`, 'setup (ms)')],
    ['latest-teardown.svg', plot(results, 'teardownMs', `Teardown time per container, N=${results.n}`, 'teardown (ms)')],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeAtomic(path, text);
    return path;
  });
}
