/**
 * Runs one runner inside the throwaway host namespace. main.ts starts it
 * with `nsenter --net=/run/netns/<host>` and reads the RunRecord it writes.
 */
import { readlinkSync, writeFileSync } from 'node:fs';
import { exec } from './exec.js';
import { runBenchmark, type Progress } from './harness.js';
import { runners } from './runners/index.js';

/** What main.ts passes as the single argument (JSON). */
export interface WorkerSpec {
  runner: string;
  n: number;
  tmpDir: string;
  netnsPrefix: string;
  /** File the RunRecord goes to. */
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

  const definition = runners.find((r) => r.name === spec.runner);
  if (!definition) throw new Error(`no runner named ${spec.runner}`);
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => controller.abort(new Error(`interrupted by ${signal}`)));
  }
  const runner = definition.create({ tmpDir: spec.tmpDir, netnsPrefix: spec.netnsPrefix, n: spec.n });
  const record = await runBenchmark(runner, spec.n, controller.signal, progressPrinter(spec.runner));
  writeFileSync(spec.out, JSON.stringify(record));
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
