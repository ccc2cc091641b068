/**
 * Worker side of the data-plane run: in its bench host namespace, publish
 * `totalPorts` ports through ctrnet (a web container with a tiny Node HTTP
 * server on port 80 published as 20000:80, and a filler container
 * publishing the rest), wait until the server answers through the
 * published port, say so in the ready file, and keep everything up until
 * main.ts stops the worker (SIGINT). main.ts does the measuring, with two of
 * these up at once (few and many ports) so both are measured side by side.
 *
 * The filler is started before the web container, so with rules kept in
 * creation order the web's rule comes after all of the filler's: the worst
 * case for a linear rule list.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { closeCtrnet, detachedSpec, openCtrnet, type OpenCtrnet, type PortBackend } from '../ctrnet.js';
import { exec } from '../exec.js';
import type { ProbeSpec } from '../probe.js';

export interface DataplaneServeTask {
  kind: 'dataplane-serve';
  backend: PortBackend;
  /** Published ports in total, web's one included. */
  totalPorts: number;
}

export interface DataplaneServeRecord {
  kind: 'dataplane-serve';
  backend: PortBackend;
  totalPorts: number;
  /** 'ok' when it got ready and was then stopped by main. */
  status: 'ok' | 'failed' | 'interrupted';
  error?: string;
  /** run -d / rm -f of the filler container (totalPorts - 1 ports). */
  fillerRunMs?: number;
  fillerRmMs?: number;
}

export const WEB_PORT = 20000;
export const FILLER_FIRST_PORT = 21000;
/** The most ports a setup can publish: the filler's range must end at 65535. */
export const MAX_TOTAL_PORTS = 65535 - FILLER_FIRST_PORT + 2;
export const PROBE = fileURLToPath(new URL('../probe.js', import.meta.url));
export const MARKER = 'ctrnet-bench-web';
const SERVER = `require('http').createServer((q, s) => s.end('${MARKER}\\n')).listen(80)`;
const READY_TIMEOUT_MS = 15000;

/**
 * With 2+ CPUs, web servers run on the last CPU and clients on the first.
 * A connect wakes the server to accept; were it on the client's CPU it
 * would preempt the client mid-connect, and the scheduler places the two
 * servers differently and changes its mind every few seconds, which showed
 * as 2x differences between two identical setups. Pinned, both setups are
 * placed alike.
 */
export function pinned(role: 'client' | 'server', argv: readonly string[]): string[] {
  const count = cpus().length;
  if (count < 2) return [...argv];
  return ['taskset', '-c', String(role === 'client' ? 0 : count - 1), ...argv];
}

/** `readyFile` is written once the server answers through the published port. */
export async function serveDataplane(task: DataplaneServeTask, tmpDir: string, readyFile: string, signal: AbortSignal, log: (line: string) => void): Promise<DataplaneServeRecord> {
  const record: DataplaneServeRecord = { kind: 'dataplane-serve', backend: task.backend, totalPorts: task.totalPorts, status: 'failed' };
  const name = `ctrnet-api-${task.backend}`;
  let ctrnet: OpenCtrnet | undefined;
  let ready = false;
  try {
    ctrnet = await openCtrnet(tmpDir, task.backend);
    const { rt } = ctrnet;
    const filler = task.totalPorts - 1;
    const last = FILLER_FIRST_PORT + filler - 1;
    const start = performance.now();
    await rt.containers.runDetached(detachedSpec('filler', filler > 0 ? [`${FILLER_FIRST_PORT}-${last}:${FILLER_FIRST_PORT}-${last}`] : [], ['sleep', 'infinity']));
    record.fillerRunMs = performance.now() - start;
    await rt.containers.runDetached(detachedSpec('web', [`${WEB_PORT}:80`], pinned('server', [process.execPath, '-e', SERVER])));
    const wait: ProbeSpec = { mode: 'wait', targets: [{ host: '127.0.0.1', port: WEB_PORT }], marker: MARKER, timeoutMs: READY_TIMEOUT_MS };
    await exec([process.execPath, PROBE, JSON.stringify(wait)]);
    writeFileSync(readyFile, JSON.stringify(record));
    ready = true;
    log(`  ${name}: ${task.totalPorts} published ports up (filler run -d ${record.fillerRunMs.toFixed(0)} ms)`);
    // Bounded by main: it stops this worker after measuring, or on its own timeout.
    while (!signal.aborted) await sleep(50);
    await rt.containers.remove('web', true);
    const rmStart = performance.now();
    await rt.containers.remove('filler', true);
    record.fillerRmMs = performance.now() - rmStart;
    record.status = 'ok';
  } catch (err) {
    record.status = signal.aborted && !ready ? 'interrupted' : 'failed';
    record.error = err instanceof Error ? err.message : String(err);
  } finally {
    await closeCtrnet(ctrnet).catch((err: unknown) => log(`  ${name}: reset after the run failed: ${String(err)}`));
  }
  return record;
}
