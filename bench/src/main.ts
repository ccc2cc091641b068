/**
 * `npm run bench`: for each selected runner, make a throwaway host
 * namespace, run the worker inside it, delete it; then print the table and
 * write JSON and SVG into bench/results/.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE, type BenchOptions } from './args.js';
import type { RunRecord } from './harness.js';
import { HostNamespace, ownNetns, type WorkerHandle } from './hostns.js';
import { machineInfo, withStats, writeResults, type BenchResults, type RunnerResult } from './results.js';
import { selectRunners } from './runners/index.js';
import { renderTable } from './table.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Interrupt state shared with the signal handlers: stop after the current runner, and pass the signal on. */
const interruption = { requested: false, current: undefined as WorkerHandle | undefined };

function onSignal(signal: NodeJS.Signals): void {
  if (!interruption.requested) process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
  interruption.requested = true;
  interruption.current?.interrupt();
}

async function runOne(name: string, index: number, runId: string, options: BenchOptions, tmpRoot: string): Promise<RunRecord> {
  const host = new HostNamespace(`ctrnet-bench-${runId}-${index}`);
  const tmpDir = mkdtempSync(join(tmpRoot, `${name}-`));
  const out = join(tmpDir, 'record.json');
  // Outside the try: if the name already exists it is not ours, and destroy() must not touch it.
  await host.create();
  try {
    if (interruption.requested) return { runner: name, status: 'interrupted', n: options.n, setupMs: [], teardownMs: [] };
    interruption.current = host.startWorker({ runner: name, n: options.n, tmpDir, netnsPrefix: host.containerPrefix, out, parentNetns: ownNetns() });
    const ending = await interruption.current.exited;
    if (existsSync(out)) return JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
    return { runner: name, status: interruption.requested ? 'interrupted' : 'failed', error: `worker ended (${ending}) before writing results`, n: options.n, setupMs: [], teardownMs: [] };
  } finally {
    interruption.current = undefined;
    for (const error of await host.destroy()) process.stderr.write(`bench: cleanup: ${error}\n`);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const definitions = selectRunners(options.only);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const runId = process.pid.toString(36);
  const tmpRoot = mkdtempSync(join(tmpdir(), 'ctrnet-bench-'));
  const records: RunnerResult[] = [];
  try {
    for (const [index, definition] of definitions.entries()) {
      if (interruption.requested) break;
      process.stderr.write(`bench: ${definition.name}, N=${options.n}\n`);
      const record = await runOne(definition.name, index, runId, options, tmpRoot);
      if (record.error) process.stderr.write(`bench: ${definition.name} ${record.status}: ${record.error}\n`);
      records.push(withStats(record));
    }
  } finally {
    rmSync(tmpRoot, { recursive: true, force: true });
  }
  if (interruption.requested) {
    process.stderr.write('bench: interrupted; namespaces deleted, no results written\n');
    process.exitCode = 130;
    return;
  }

  const results: BenchResults = { startedAt, finishedAt: new Date().toISOString(), n: options.n, machine, runners: records };
  process.stdout.write(`\nN=${options.n} containers per runner, one published TCP port each (${machine.cpus} CPUs, kernel ${machine.kernel}, load average ${machine.loadavg1.toFixed(2)} at start)\n\n`);
  process.stdout.write(renderTable(records) + '\n\n');
  for (const r of records) {
    process.stdout.write(`${r.runner}: ${r.description ?? '(no description: it did not get that far)'}${r.verified ? `\n  checked after setup(1): ${r.verified}` : ''}${r.error ? `\n  ${r.status}: ${r.error}` : ''}\n`);
  }
  for (const path of writeResults(RESULTS_DIR, results)) process.stdout.write(`wrote ${path}\n`);
  if (records.every((r) => r.status !== 'ok')) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
