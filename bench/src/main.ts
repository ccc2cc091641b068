/**
 * `npm run bench`: for each task of the selected sections (one per runner in
 * the comparison, one per backend and scenario in scaling, two per backend
 * side by side in the data plane), make a throwaway host namespace, run the
 * worker inside it, delete it; then print the tables and write JSON and SVG
 * into bench/results/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeProfile } from './exec-profile.js';
import { parseArgs, USAGE, type BenchOptions, type Section } from './args.js';
import type { RunRecord } from './harness.js';
import { measureDataplane } from './dataplane.js';
import { measureOverlay, renderOverlay } from './overlay.js';
import { benchEngines, renderEngines } from './engines.js';
import { measureDns } from './dns.js';
import { renderDns } from './dns-report.js';
import { renderDataplane, renderScaling, renderTargets } from './report.js';
import { describeResident, renderStartup } from './startup-report.js';
import {
  machineInfo,
  withDataplaneStats,
  withManyPortsStats,
  withScalingStats,
  withStartupStats,
  withStats,
  writeResults,
  type BenchResults,
  type DataplaneResult,
  type ManyPortsResult,
  type RunnerResult,
  type ScalingResult,
  type StartupResult,
} from './results.js';
import { selectRunners } from './runners/index.js';
import type { ManyPortsRecord } from './scenarios/many-ports.js';
import type { StartupRecord } from './scenarios/startup.js';
import type { SupervisionRecord } from './scenarios/supervision.js';
import { renderTable } from './table.js';
import { Tasks } from './tasks.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const MANY_PORTS_REPEATS = 3;
/** Detached containers whose supervision's memory is measured (issue 11's figure). */
const SUPERVISED_CONTAINERS = 100;
/** Timed runs of each command in the thin client's profile. */
const PROFILE_RUNS = 10;

/** The tasks of this run, for the signal handlers to interrupt. */
let current: Tasks | undefined;
let signalled = false;

function onSignal(signal: NodeJS.Signals): void {
  if (!signalled) process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
  signalled = true;
  current?.interrupt();
}

function report(label: string, record: { status: string; error?: string }): void {
  if (record.error) process.stderr.write(`bench: ${label} ${record.status}: ${record.error}\n`);
}

async function runRunner(tasks: Tasks, runner: string, n: number): Promise<RunRecord> {
  const record = await tasks.run<RunRecord>(runner, { kind: 'runner', runner, n });
  report(runner, record);
  return 'runner' in record ? record : { runner, n, setupMs: [], teardownMs: [], ...record };
}

async function compare(tasks: Tasks, options: BenchOptions): Promise<RunnerResult[]> {
  const records: RunnerResult[] = [];
  for (const definition of selectRunners(options.only)) {
    if (tasks.interrupted) break;
    process.stderr.write(`bench: ${definition.name}, N=${options.n}\n`);
    records.push(withStats(await runRunner(tasks, definition.name, options.n)));
  }
  return records;
}

async function scaling(tasks: Tasks, options: BenchOptions): Promise<NonNullable<BenchResults['scaling']>> {
  const runs: ScalingResult[] = [];
  const manyPorts: ManyPortsResult[] = [];
  for (const backend of options.backends) {
    if (tasks.interrupted) break;
    const runner = `ctrnet-api-${backend}`;
    process.stderr.write(`bench: scaling, ${runner}, N=${options.scalingN}\n`);
    runs.push(withScalingStats(await runRunner(tasks, runner, options.scalingN)));
  }
  for (const backend of options.backends) {
    if (tasks.interrupted) break;
    process.stderr.write(`bench: scaling, ctrnet-api-${backend}, one container with ${options.manyPorts} ports\n`);
    const record = await tasks.run<ManyPortsRecord>(`ports-${backend}`, { kind: 'many-ports', backend, ports: options.manyPorts, repeats: MANY_PORTS_REPEATS });
    report(`ctrnet-api-${backend} many ports`, record);
    manyPorts.push(withManyPortsStats('kind' in record ? record : { kind: 'many-ports', backend, ports: options.manyPorts, repeats: MANY_PORTS_REPEATS, publish: '', runMs: [], rmMs: [], ...record }));
  }
  let supervision: SupervisionRecord | undefined;
  if (!tasks.interrupted) {
    process.stderr.write(`bench: scaling, memory of supervising ${SUPERVISED_CONTAINERS} detached containers\n`);
    const record = await tasks.run<SupervisionRecord>('supervision', { kind: 'supervision', containers: SUPERVISED_CONTAINERS });
    report('supervision', record);
    supervision = 'kind' in record ? record : { kind: 'supervision', containers: SUPERVISED_CONTAINERS, ...record };
  }
  return { n: options.scalingN, runs, manyPorts, supervision };
}

async function startup(tasks: Tasks, options: BenchOptions): Promise<StartupResult> {
  process.stderr.write(`bench: start-up, node -e 0 and ctrnet through ctrnetd and in-process, ${options.startupRounds} rounds\n`);
  const task = { kind: 'startup', rounds: options.startupRounds, profileRuns: PROFILE_RUNS } as const;
  const record = await tasks.run<StartupRecord>('startup', task);
  report('start-up', record);
  const empty = { node: [], psDaemon: [], psLocal: [], runDaemon: [], rmDaemon: [] };
  return withStartupStats('kind' in record ? record : { kind: 'startup', rounds: options.startupRounds, samples: empty, inDaemon: { psDaemon: [], runDaemon: [], rmDaemon: [] }, ...record });
}

async function dataplane(tasks: Tasks, options: BenchOptions): Promise<DataplaneResult[]> {
  const results: DataplaneResult[] = [];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  for (const backend of options.backends) {
    if (tasks.interrupted) break;
    process.stderr.write(`bench: data plane, ctrnet-api-${backend}, ${options.portCounts.join(' and ')} published ports side by side\n`);
    const record = await measureDataplane(tasks, backend, options.portCounts, options.connects, log);
    report(`ctrnet-api-${backend} data plane`, record);
    results.push(withDataplaneStats(record));
  }
  return results;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  selectRunners(options.only); // unknown names fail before anything is created
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const tmpRoot = mkdtempSync(join(tmpdir(), 'ctrnet-bench-'));
  const run = new Tasks(`ctrnet-bench-${process.pid.toString(36)}`, tmpRoot);
  current = run;
  const results: BenchResults = { startedAt, finishedAt: '', sections: options.sections, n: options.n, machine, loadavgAfter: {}, runners: [] };
  const after = (section: Section): void => void (results.loadavgAfter[section] = loadavg()[0]!);
  try {
    if (options.sections.includes('compare')) {
      results.runners = await compare(run, options);
      after('compare');
    }
    if (options.sections.includes('startup') && !run.interrupted) {
      results.startup = await startup(run, options);
      after('startup');
    }
    if (options.sections.includes('scaling') && !run.interrupted) {
      results.scaling = await scaling(run, options);
      after('scaling');
    }
    if (options.sections.includes('dataplane') && !run.interrupted) {
      results.dataplane = await dataplane(run, options);
      after('dataplane');
    }
    if (options.sections.includes('overlay') && !run.interrupted) {
      results.overlay = await measureOverlay({ reaches: 10, runs: 10, seconds: 3 }, (line) => void process.stderr.write(`${line}\n`));
      report('overlay', results.overlay);
      after('overlay');
    }
    if (options.sections.includes('dns') && !run.interrupted) {
      results.dns = await measureDns(options.dns, (line) => void process.stderr.write(`${line}\n`), () => run.interrupted);
      report('dns', results.dns);
      after('dns');
    }
    if (options.engines && !run.interrupted) results.engines = await benchEngines(options.enginesN, (line) => void process.stderr.write(`${line}\n`));
  } finally {
    rmSync(tmpRoot, { recursive: true, force: true });
  }
  if (run.interrupted) {
    process.stderr.write('bench: interrupted; namespaces deleted, no results written\n');
    process.exitCode = 130;
    return;
  }
  results.finishedAt = new Date().toISOString();

  const load = Object.entries(results.loadavgAfter).map(([section, v]) => `${v.toFixed(2)} after ${section}`);
  process.stdout.write(`\n${machine.cpus} CPUs (${machine.cpuModel}), kernel ${machine.kernel}, Node ${machine.node}; load average ${machine.loadavg1.toFixed(2)} at start, ${load.join(', ')}\n`);
  if (options.sections.includes('compare')) {
    process.stdout.write(`\nN=${options.n} containers per runner, one published TCP port each\n\n`);
    process.stdout.write(renderTable(results.runners) + '\n\n');
    for (const r of results.runners) {
      const profile = r.profile ? describeProfile(r.profile).map((line) => `\n  ${line}`).join('') : '';
      const resident = describeResident(r);
      process.stdout.write(
        `${r.runner}: ${r.description ?? '(no description: it did not get that far)'}${r.verified ? `\n  checked after setup(1): ${r.verified}` : ''}${resident ? `\n  ${resident}` : ''}${profile}${r.error ? `\n  ${r.status}: ${r.error}` : ''}\n`,
      );
    }
  }
  if (results.startup) process.stdout.write(`\n${renderStartup(results.startup)}\n`);
  if (results.scaling) process.stdout.write(`\n${renderScaling(results.scaling)}\n`);
  if (results.dataplane) process.stdout.write(`\n${renderDataplane(results.dataplane, options.portCounts)}\n`);
  if (results.overlay) process.stdout.write(`\n${renderOverlay(results.overlay)}\n`);
  if (results.engines) process.stdout.write(`\n${renderEngines(results.engines)}\n`);
  if (results.dns) process.stdout.write(`\n${renderDns(results.dns)}\n`);
  const targets = renderTargets(results);
  if (targets) process.stdout.write(`\n${targets}\n`);
  process.stdout.write('\n');
  for (const path of writeResults(RESULTS_DIR, results)) process.stdout.write(`wrote ${path}\n`);
  if (!anyFinished(results)) process.exitCode = 1;
}

function anyFinished(results: BenchResults): boolean {
  const all: { status: string }[] = [
    ...results.runners,
    ...(results.startup ? [results.startup] : []),
    ...(results.scaling?.runs ?? []),
    ...(results.scaling?.manyPorts ?? []),
    ...(results.scaling?.supervision ? [results.scaling.supervision] : []),
    ...(results.dataplane ?? []),
    ...(results.overlay ? [results.overlay] : []),
    ...(results.engines ? [results.engines] : []),
    ...(results.dns ? [results.dns] : []),
  ];
  return all.some((r) => r.status === 'ok');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
