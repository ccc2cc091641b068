/**
 * The data-plane run, driven from main.ts: does the number of published
 * ports slow down new connections? Two setups of the same backend are up
 * at once, each in its own bench host namespace (scenarios/dataplane.ts):
 * one publishing few ports, one publishing many. They are measured side by
 * side, so load from elsewhere on the machine, which drifts over seconds,
 * hits both alike:
 *
 * - LAN → published port (PREROUTING DNAT + forwarding): one probe in the
 *   LAN namespace, joined to both hosts, alternates its connects between them;
 * - host → 127.0.0.1:20000 (OUTPUT DNAT): a client must live in each host's
 *   namespace, so one long-lived probe runs in each and main asks them for
 *   one connect at a time, alternating between them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortBackend } from './ctrnet.js';
import { exec, TOOL_ENV } from './exec.js';
import { Lan } from './lan.js';
import { netnsPath } from './netns.js';
import type { ProbeSpec, Target } from './probe.js';
import { MARKER, pinned, PROBE, WEB_PORT, type DataplaneServeRecord } from './scenarios/dataplane.js';
import type { StartedTask, Tasks } from './tasks.js';

/** One setup: how many ports it published, and the connect times to its web container. */
export interface DataplaneSide {
  totalPorts: number;
  /** run -d / rm -f of its filler container (totalPorts - 1 ports). */
  fillerRunMs?: number;
  fillerRmMs?: number;
  hostTarget: string;
  lanTarget: string;
  hostMs: number[];
  lanMs: number[];
}

export interface DataplaneRecord {
  kind: 'dataplane';
  backend: PortBackend;
  status: 'ok' | 'failed' | 'interrupted';
  error?: string;
  /** Timed connects per side and client. */
  connects: number;
  /** Few ports first, then many. */
  sides: DataplaneSide[];
}

const WARMUP_CONNECTS = 20;
const CONNECT_TIMEOUT_MS = 2000;
const READY_TIMEOUT_MS = 300_000;

export async function measureDataplane(tasks: Tasks, backend: PortBackend, portCounts: readonly [number, number], connects: number, log: (line: string) => void): Promise<DataplaneRecord> {
  const record: DataplaneRecord = { kind: 'dataplane', backend, status: 'failed', connects, sides: [] };
  const lan = new Lan(`${tasks.prefix}-lan-${backend}`);
  const started: StartedTask[] = [];
  let lanMade = false;
  try {
    await lan.create();
    lanMade = true;
    for (const totalPorts of portCounts) {
      const task = await tasks.start(`dataplane-${backend}-${totalPorts}`, { kind: 'dataplane-serve', backend, totalPorts });
      started.push(task);
      const lanAddress = await lan.join(task.host.name);
      record.sides.push({ totalPorts, hostTarget: `127.0.0.1:${WEB_PORT}`, lanTarget: `${lanAddress}:${WEB_PORT}`, hostMs: [], lanMs: [] });
    }
    await Promise.all(started.map((task) => waitReady(task, tasks)));
    const lanTargets = record.sides.map((side) => target(side.lanTarget));
    await probe((argv) => lan.enter(argv), { mode: 'wait', targets: lanTargets, marker: MARKER, timeoutMs: 15000 });

    const lanSamples = await probe((argv) => lan.enter(argv), { mode: 'connect', targets: lanTargets, warmup: WARMUP_CONNECTS, count: connects, timeoutMs: CONNECT_TIMEOUT_MS });
    record.sides.forEach((side, k) => (side.lanMs = lanSamples[k]!));

    const hostProbes = started.map((task, k) => {
      const spec: ProbeSpec = { mode: 'on-demand', targets: [target(record.sides[k]!.hostTarget)], warmup: WARMUP_CONNECTS, timeoutMs: CONNECT_TIMEOUT_MS };
      return new OnDemandProbe(['nsenter', `--net=${netnsPath(task.host.name)}`, '--', ...pinned('client', [process.execPath, PROBE, JSON.stringify(spec)])]);
    });
    try {
      for (const p of hostProbes) await p.ready();
      for (let c = 0; c < connects; c++) {
        if (tasks.interrupted) throw new Error('interrupted');
        // Alternate which side goes first, so neither always follows the other.
        for (const k of c % 2 === 0 ? [0, 1] : [1, 0]) record.sides[k]!.hostMs.push(await hostProbes[k]!.connect());
      }
    } finally {
      for (const p of hostProbes) p.close();
    }
    log(`  ctrnet-api-${backend}: ${connects} connects per side from the LAN and from the hosts done`);
    record.status = 'ok';
  } catch (err) {
    record.status = tasks.interrupted ? 'interrupted' : 'failed';
    record.error = err instanceof Error ? err.message : String(err);
  } finally {
    for (const task of started) task.stop();
    for (const [k, task] of started.entries()) {
      const served = await task.finish<DataplaneServeRecord>();
      const side = record.sides[k];
      if (side && 'kind' in served) Object.assign(side, { fillerRunMs: served.fillerRunMs, fillerRmMs: served.fillerRmMs });
      // The setup's own failure explains a measuring failure better than "connection refused".
      if (served.status === 'failed' && served.error) {
        record.status = 'failed';
        record.error = `${portCounts[k]} ports: ${served.error}${record.error ? `; then: ${record.error}` : ''}`;
      }
    }
    if (lanMade) await lan.destroy().catch((err: unknown) => log(`  deleting ${lan.netns} failed: ${String(err)}`));
  }
  return record;
}

function target(hostPort: string): Target {
  const [host, port] = hostPort.split(':');
  return { host: host!, port: Number(port) };
}

/** Runs the probe through `enter` (nsenter into the client's namespace); the connect mode's samples per target. */
async function probe(enter: (argv: readonly string[]) => string[], spec: ProbeSpec): Promise<number[][]> {
  const { stdout } = await exec(enter(pinned('client', [process.execPath, PROBE, JSON.stringify(spec)])));
  return spec.mode === 'connect' ? (JSON.parse(stdout) as { samplesMs: number[][] }).samplesMs : [];
}

/** Until the worker's ready file appears; throws if it ends first, on interrupt, or after READY_TIMEOUT_MS. */
async function waitReady(task: StartedTask, tasks: Tasks): Promise<void> {
  let ended: string | undefined;
  void task.exited.then((how) => (ended = how));
  const ready = `${task.out}.ready`;
  for (let waited = 0; waited < READY_TIMEOUT_MS; waited += 100) {
    if (existsSync(ready) && readFileSync(ready, 'utf8').length > 0) return;
    if (ended !== undefined) throw new Error(`the setup in ${task.host.name} ended (${ended}) before it was ready`);
    if (tasks.interrupted) throw new Error('interrupted');
    await sleep(100);
  }
  throw new Error(`the setup in ${task.host.name} was not ready after ${READY_TIMEOUT_MS / 1000} s`);
}

/**
 * A probe in `on-demand` mode: a long-lived client in one namespace that
 * connects once per request, so main can alternate connects between two
 * namespaces as tightly as the LAN probe alternates its targets.
 */
class OnDemandProbe {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(argv: readonly string[]) {
    this.child = spawn(argv[0]!, argv.slice(1), { env: TOOL_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.child.on('error', (err) => (this.stderr += err.message));
    this.child.stdin!.on('error', () => undefined);
    this.lines = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  private async line(): Promise<string> {
    const next = await this.lines.next();
    if (next.done) throw new Error(`the probe ended: ${this.stderr.trim() || 'no output'}`);
    return next.value;
  }

  /** Resolves once the warmup is done. */
  async ready(): Promise<void> {
    const line = await this.line();
    if (line !== 'ready') throw new Error(`the probe said ${JSON.stringify(line)} instead of ready`);
  }

  async connect(): Promise<number> {
    this.child.stdin!.write('\n');
    return Number(await this.line());
  }

  close(): void {
    this.child.stdin!.end();
  }
}
