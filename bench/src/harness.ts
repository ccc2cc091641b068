import { performance } from 'node:perf_hooks';
import createDebug from 'debug';
import type { RunProfile } from './exec-profile.js';
import type { Runner } from './runner.js';
import { idleNodeRss, PeakRss, readVmHwmKiB, type RssReading } from './rss.js';

const debug = createDebug('ctrnet:bench:harness');

export type RssSource = 'probe' | 'pids' | 'worker';

/** Everything one runner's run produced; the worker writes it as JSON for the main process. */
export interface RunRecord {
  runner: string;
  status: 'ok' | 'failed' | 'interrupted';
  error?: string;
  description?: string;
  /** What the untimed check after setup(1) found. */
  verified?: string;
  n: number;
  /** setupMs[k] is container k+1. */
  setupMs: number[];
  /** teardownMs[k] is container k+1 (filled from the end, since teardown runs N..1). */
  teardownMs: (number | null)[];
  rss?: { kib: number; source: RssSource };
  /** Kernel-command time per phase, for runners that report it. */
  profile?: RunProfile;
  /** Runners with a resident process: its memory idle after start and after the run, and bare Node's idle memory beside it. */
  resident?: { afterStart?: RssReading; afterRun?: RssReading; idleNode?: RssReading };
}

export type Progress = (phase: 'setup' | 'teardown', done: number, n: number) => void;

/**
 * Creates containers 1..N, then removes N..1, timing each call with
 * performance.now(). Only setup/teardown are inside the clock; the sanity
 * check, RSS sampling and cleanup after a failure are not.
 */
export async function runBenchmark(runner: Runner, n: number, signal: AbortSignal, progress: Progress): Promise<RunRecord> {
  const record: RunRecord = { runner: runner.name, status: 'failed', n, setupMs: [], teardownMs: new Array<number | null>(n).fill(null) };
  const live: number[] = [];
  const peak = new PeakRss();
  const samplePids = (): void => peak.sample(runner.pids?.() ?? []);
  try {
    await runner.prepare();
    record.description = runner.describe?.();
    if (runner.residentRss) record.resident = { afterStart: runner.residentRss(), idleNode: await idleNodeRss() };
    for (let i = 1; i <= n; i++) {
      signal.throwIfAborted();
      const start = performance.now();
      await runner.setup(i);
      record.setupMs.push(performance.now() - start);
      live.push(i);
      samplePids();
      if (i === 1 && runner.verify) record.verified = await runner.verify(1);
      progress('setup', i, n);
    }
    while (live.length > 0) {
      signal.throwIfAborted();
      const i = live[live.length - 1]!;
      const start = performance.now();
      await runner.teardown(i);
      record.teardownMs[i - 1] = performance.now() - start;
      live.pop();
      samplePids();
      progress('teardown', n - i + 1, n);
    }
    if (record.resident) record.resident.afterRun = runner.residentRss?.();
    record.rss = await peakRss(runner, peak);
    record.profile = runner.profile?.();
    record.status = 'ok';
  } catch (err) {
    record.status = signal.aborted ? 'interrupted' : 'failed';
    record.error = err instanceof Error ? err.message : String(err);
    await removeLeftovers(runner, live);
  } finally {
    await runner.close().catch((err: unknown) => debug('close of %s failed: %O', runner.name, err));
  }
  return record;
}

/**
 * The runner's own probe for per-call processes, else its declared pids,
 * else this worker (an in-process runner: the worker holds only it and the harness).
 */
async function peakRss(runner: Runner, peak: PeakRss): Promise<RunRecord['rss']> {
  // A broken probe costs the memory figure, not the timings already taken.
  const probed = await runner.peakRssKiB?.().catch((err: unknown) => {
    process.stderr.write(`bench: ${runner.name}: memory probe failed, no RSS figure: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  });
  if (probed !== undefined) return { kib: probed, source: 'probe' };
  if (runner.pids) {
    peak.sample(runner.pids());
    return peak.kib === undefined ? undefined : { kib: peak.kib, source: 'pids' };
  }
  const self = readVmHwmKiB('self');
  return self === undefined ? undefined : { kib: self, source: 'worker' };
}

/** Best effort after a failure: remove what still exists, newest first; the main process deletes any namespace left after that. */
async function removeLeftovers(runner: Runner, live: readonly number[]): Promise<void> {
  for (const i of [...live].reverse()) {
    await runner.teardown(i).catch((err: unknown) => debug('cleanup teardown(%d) of %s failed: %O', i, runner.name, err));
  }
}
