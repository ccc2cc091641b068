import type { OverlayResult } from './overlay.js';
import { cpus, loadavg, release } from 'node:os';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Section } from './args.js';
import type { RunRecord } from './harness.js';
import type { DataplaneRecord } from './dataplane.js';
import type { DnsResult } from './dns.js';
import type { EnginesResult } from './engines.js';
import { PROFILED, type Profiled, type TimeSplit } from './client-profile.js';
import type { ManyPortsRecord } from './scenarios/many-ports.js';
import { DAEMON_COMMANDS, STARTUP_COMMANDS, type DaemonCommand, type StartupCommand, type StartupRecord } from './scenarios/startup.js';
import type { SupervisionRecord } from './scenarios/supervision.js';
import { median, phaseStats, summarize, type PhaseStats, type Summary } from './stats.js';
import { linePlot, type Series } from './svg.js';

/** One runner's raw samples plus their summaries (absent when it did not finish). */
export interface RunnerResult extends RunRecord {
  setup?: PhaseStats;
  teardown?: PhaseStats;
}

/** A scaling run: the runner's result plus "last 10 ÷ first 10" of the medians, per phase. */
export interface ScalingResult extends RunnerResult {
  setupRatio?: number;
  teardownRatio?: number;
  /** Medians of first and last 10 split into kernel commands and the rest (Node, SQLite, process start), from the profile. */
  split?: Record<'setup' | 'teardown', { commandFirst10: number; commandLast10: number; restFirst10: number; restLast10: number }>;
}

export interface ManyPortsResult extends ManyPortsRecord {
  run?: Summary;
  rm?: Summary;
}

export interface DataplaneResult extends DataplaneRecord {
  /** Per side (few ports, many ports): connect-time summaries per client. */
  stats?: { totalPorts: number; host: Summary; lan: Summary }[];
  /** Median with many ports ÷ median with few, per client. */
  hostRatio?: number;
  lanRatio?: number;
}

export interface StartupResult extends StartupRecord {
  stats?: Record<StartupCommand, Summary>;
  /** Median of each command ÷ median of `node -e 0` (measured side by side, so load cancels). */
  ratios?: Record<StartupCommand, number>;
  /** Median time inside ctrnetd of each daemon command, and what the client adds to `node -e 0`: the median over rounds of (wall − inside ctrnetd − that round's node -e 0). */
  daemonSplit?: Record<DaemonCommand, { inDaemon: number; clientAdds: number }>;
  /** Median of each part of the profile's timed runs, per command (medians of parts need not add up to the median wall). */
  split?: Record<Profiled, TimeSplit>;
}

/** The JSON file: enough to redraw the tables and plots, and to compare runs across machines. */
export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  sections: Section[];
  /** Containers per runner in the comparison. */
  n: number;
  /** loadavg1 is taken at the start: a busy machine makes every figure noisier. */
  machine: { kernel: string; cpus: number; cpuModel: string; node: string; loadavg1: number };
  /** Load average when each section ended (the machine may be shared). */
  loadavgAfter: Partial<Record<Section, number>>;
  /** The comparison. */
  runners: RunnerResult[];
  scaling?: { n: number; runs: ScalingResult[]; manyPorts: ManyPortsResult[]; supervision?: SupervisionRecord };
  dataplane?: DataplaneResult[];
  startup?: StartupResult;
  overlay?: OverlayResult;
  /** `--engines`. */
  engines?: EnginesResult;
  /** `--dns`. */
  dns?: DnsResult;
}

export function withStats(record: RunRecord): RunnerResult {
  if (record.status !== 'ok') return record;
  return { ...record, setup: phaseStats(record.setupMs), teardown: phaseStats(record.teardownMs as number[]) };
}

export function withScalingStats(record: RunRecord): ScalingResult {
  const r = withStats(record);
  if (!r.setup || !r.teardown) return r;
  const ratios = { setupRatio: r.setup.last10.median / r.setup.first10.median, teardownRatio: r.teardown.last10.median / r.teardown.first10.median };
  if (!r.profile) return { ...r, ...ratios };
  const split = (samples: readonly (number | null)[], command: readonly number[]) => {
    const first = (v: readonly number[]): number => median(v.slice(0, 10));
    const last = (v: readonly number[]): number => median(v.slice(-10));
    const rest = samples.map((ms, k) => (ms ?? 0) - (command[k] ?? 0));
    return { commandFirst10: first(command), commandLast10: last(command), restFirst10: first(rest), restLast10: last(rest) };
  };
  return {
    ...r,
    ...ratios,
    split: { setup: split(r.setupMs, r.profile.setup.commandMsByContainer), teardown: split(r.teardownMs, r.profile.teardown.commandMsByContainer) },
  };
}

export function withManyPortsStats(record: ManyPortsRecord): ManyPortsResult {
  if (record.status !== 'ok') return record;
  return { ...record, run: summarize(record.runMs), rm: summarize(record.rmMs) };
}

export function withDataplaneStats(record: DataplaneRecord): DataplaneResult {
  if (record.status !== 'ok' || record.sides.length !== 2) return record;
  const stats = record.sides.map((side) => ({ totalPorts: side.totalPorts, host: summarize(side.hostMs), lan: summarize(side.lanMs) }));
  const [few, many] = [stats[0]!, stats[1]!];
  return { ...record, stats, hostRatio: many.host.median / few.host.median, lanRatio: many.lan.median / few.lan.median };
}

export function withStartupStats(record: StartupRecord): StartupResult {
  if (record.status !== 'ok') return record;
  const each = <T>(f: (command: StartupCommand) => T) => Object.fromEntries(STARTUP_COMMANDS.map((c) => [c, f(c)])) as Record<StartupCommand, T>;
  const stats = each((c) => summarize(record.samples[c]));
  const ratios = each((c) => stats[c].median / stats.node.median);
  const daemonSplit = Object.fromEntries(
    DAEMON_COMMANDS.map((c) => {
      // Paired by round (each round runs every command once): the load a round ran under cancels, as in the ratios of medians.
      const inDaemon = record.inDaemon[c];
      const node = record.samples.node;
      const client = record.samples[c].map((wall, round) => wall - (inDaemon[round] ?? Number.NaN) - (node[round] ?? Number.NaN));
      return [c, { inDaemon: median(inDaemon), clientAdds: median(client) }];
    }),
  ) as Record<DaemonCommand, { inDaemon: number; clientAdds: number }>;
  if (!record.profile) return { ...record, stats, ratios, daemonSplit };
  const runs = record.profile.timing;
  const medianSplit = (splits: readonly TimeSplit[]): TimeSplit => {
    const of = (key: keyof TimeSplit): number => median(splits.map((t) => t[key]));
    return { wallMs: of('wallMs'), bootMs: of('bootMs'), beforeMs: of('beforeMs'), roundTripMs: of('roundTripMs'), requests: of('requests'), inDaemonMs: of('inDaemonMs'), cpuMs: of('cpuMs'), afterMs: of('afterMs'), outsideMs: of('outsideMs') };
  };
  const split = Object.fromEntries(PROFILED.map((p) => [p, medianSplit(runs[p])])) as Record<Profiled, TimeSplit>;
  return { ...record, stats, ratios, daemonSplit, split };
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

function plot(runners: readonly RunnerResult[], phase: 'setupMs' | 'teardownMs', title: string, yLabel: string, label = (r: RunnerResult) => r.runner): string {
  const series: Series[] = runners
    .filter((r) => r[phase].some((v) => v !== null))
    .map((r) => ({ name: r.status === 'ok' ? label(r) : `${label(r)} (${r.status})`, points: r[phase].map((y, k) => [k + 1, y] as const) }));
  return linePlot({ title, xLabel: 'container index (= containers present)', yLabel, series });
}

/** The scaling plot: setup and teardown of each backend, smoothed by a running median of 9 so the trend shows through the noise. */
function scalingPlot(runs: readonly ScalingResult[], n: number): string {
  const smooth = (values: readonly (number | null)[]): [number, number | null][] =>
    values.map((_, k) => {
      const window = values.slice(Math.max(0, k - 4), k + 5).filter((v): v is number => v !== null);
      return [k + 1, window.length > 0 ? median(window) : null];
    });
  // The title says "ctrnet API"; the backend alone keeps four legend entries apart.
  const series: Series[] = runs.flatMap((r) => {
    const backend = r.runner.replace(/^ctrnet-api-/, '');
    return [
      { name: `${backend} setup`, points: smooth(r.setupMs) },
      { name: `${backend} teardown`, points: smooth(r.teardownMs) },
    ];
  });
  return linePlot({ title: `ctrnet API with N=${n} containers (running median of 9)`, xLabel: 'container index (= containers present)', yLabel: 'time (ms)', series });
}

/** An engines-only, DNS-only or start-up-only run must not replace the comparison's latest results: it gets a latest file of its own. */
function latestName(results: BenchResults): string {
  const parts = [...results.sections, ...(results.engines ? ['engines'] : [])];
  return parts.length === 1 && ['engines', 'dns', 'startup'].includes(parts[0]!) ? `latest-${parts[0]}.json` : 'latest.json';
}

/** Writes <timestamp>.json, latest.json and the plots of the sections that ran into `dir`; returns the paths written. */
export function writeResults(dir: string, results: BenchResults): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = JSON.stringify(results, null, 2) + '\n';
  const files: [string, string][] = [
    [`${stamp}.json`, json],
    [latestName(results), json],
  ];
  if (results.sections.includes('compare')) {
    files.push(['latest-setup.svg', plot(results.runners, 'setupMs', `Setup time per container, N=${results.n}`, 'setup (ms)')]);
    files.push(['latest-teardown.svg', plot(results.runners, 'teardownMs', `Teardown time per container, N=${results.n}`, 'teardown (ms)')]);
  }
  if (results.scaling && results.scaling.runs.length > 0) files.push(['latest-scaling.svg', scalingPlot(results.scaling.runs, results.scaling.n)]);
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeAtomic(path, text);
    return path;
  });
}
