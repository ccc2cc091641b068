/**
 * Runs one task inside the throwaway host namespace: a runner's timed loop,
 * or one of ctrnet's scenarios. main.ts starts it with
 * `nsenter --net=/run/netns/<host>` and reads the record it writes.
 */
import { readlinkSync, writeFileSync } from 'node:fs';
import { exec } from './exec.js';
import { runBenchmark, type Progress, type RunRecord } from './harness.js';
import { runners } from './runners/index.js';
import { serveDataplane, type DataplaneServeRecord, type DataplaneServeTask } from './scenarios/dataplane.js';
import { runManyPorts, type ManyPortsRecord, type ManyPortsTask } from './scenarios/many-ports.js';
import { runStartup, type StartupRecord, type StartupTask } from './scenarios/startup.js';
import { runSupervision, type SupervisionRecord, type SupervisionTask } from './scenarios/supervision.js';

/** The timed setup/teardown loop of one registered runner (the comparison, and the scaling run). */
export interface RunnerTask {
  kind: 'runner';
  runner: string;
  n: number;
}

export type WorkerTask = RunnerTask | ManyPortsTask | DataplaneServeTask | StartupTask | SupervisionTask;

/** What each task writes: RunRecord for a runner, the scenario's own record otherwise. */
export type WorkerRecord = RunRecord | ManyPortsRecord | DataplaneServeRecord | StartupRecord | SupervisionRecord;

/** What main.ts passes as the single argument (JSON). */
export interface WorkerSpec {
  task: WorkerTask;
  tmpDir: string;
  netnsPrefix: string;
  /** File the record goes to. */
  out: string;
  /** Network namespace of main.ts (`net:[…]`): the worker refuses to run in it. */
  parentNetns: string;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as WorkerSpec;
  // The hard guard that the benchmark never touches the real host's network.
  const here = readlinkSync('/proc/self/ns/net');
  if (here === spec.parentNetns) throw new Error(`worker is in the host's network namespace ${here}; refusing to run`);

  // A new namespace has loopback down and forwarding off; the tools expect a host that routes.
  await exec(['ip', 'link', 'set', 'lo', 'up']);
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');

  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => controller.abort(new Error(`interrupted by ${signal}`)));
  }
  const record = await runTask(spec, controller.signal);
  writeFileSync(spec.out, JSON.stringify(record));
}

async function runTask(spec: WorkerSpec, signal: AbortSignal): Promise<WorkerRecord> {
  const { task } = spec;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  switch (task.kind) {
    case 'runner': {
      const definition = runners.find((r) => r.name === task.runner);
      if (!definition) throw new Error(`no runner named ${task.runner}`);
      const runner = definition.create({ tmpDir: spec.tmpDir, netnsPrefix: spec.netnsPrefix, n: task.n });
      return runBenchmark(runner, task.n, signal, progressPrinter(task.runner));
    }
    case 'many-ports':
      return runManyPorts(task, spec.tmpDir, signal, log);
    case 'dataplane-serve':
      return serveDataplane(task, spec.tmpDir, `${spec.out}.ready`, signal, log);
    case 'startup':
      return runStartup(task, spec.tmpDir, signal, log);
    case 'supervision':
      return runSupervision(task, spec.tmpDir, signal, log);
  }
}

/** A line every quarter (or a live counter on a terminal), on stderr so stdout stays the table. */
function progressPrinter(name: string): Progress {
  const tty = process.stderr.isTTY;
  return (phase, done, n) => {
    const step = Math.max(1, Math.round(n / 4));
    if (tty) process.stderr.write(`\r  ${name}: ${phase} ${done}/${n}   ${done === n ? '\n' : ''}`);
    else if (done % step === 0 || done === n) process.stderr.write(`  ${name}: ${phase} ${done}/${n}\n`);
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
