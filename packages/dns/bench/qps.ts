/**
 * Queries per second and latency of @ctrnet/dns against aardvark-dns, for a
 * container name on a network of 10 and of 1,000 containers. Both servers
 * run in one throwaway network namespace on loopback addresses, get the same
 * records, and face the same load generator (loadgen.ts) in the same run.
 *
 *   node dist/bench/qps.js [--queries 20000] [--in-flight 32] [--rounds 9] [--sizes 10,1000]
 *
 * Run as root (it creates the namespace). Prints a table and met/missed for
 * the targets: throughput ≥ aardvark's, p99 ≤ aardvark's, and our p50 at
 * 1,000 containers ≤ 1.2 × at 10.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execIn, TestNamespaces, type NetnsHandle } from '@ctrnet/testkit';
import type { DnsView } from '../src/index.js';
import type { LoadResult } from './loadgen.js';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const LISTEN = '127.0.10.1';
const CLIENT = '127.0.10.2';
/** The first port; every (server, size) pair gets its own, so all of them run side by side. */
const FIRST_PORT = 5301;
type Server = 'ctrnet' | 'aardvark';

/** One server with one network size, listening on its own port. */
interface Contender {
  server: Server;
  size: number;
  port: number;
  label: string;
  /** Set once started: the server process, whose CPU time is read around each run. */
  pid?: number;
}

/** CPU time a process has used so far (user + system, all threads), in µs; from /proc, clock ticks of 10 ms. */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", utime and stime are fields 12 and 13 (0-based).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const { values: args } = parseArgs({
  options: {
    queries: { type: 'string', default: '20000' },
    'in-flight': { type: 'string', default: '32' },
    rounds: { type: 'string', default: '9' },
    sizes: { type: 'string', default: '10,1000' },
  },
});
const QUERIES = Number(args.queries);
const IN_FLIGHT = Number(args['in-flight']);
const ROUNDS = Number(args.rounds);
const SIZES = args.sizes!.split(',').map(Number);
const WARMUP = Math.min(5000, Math.floor(QUERIES / 4));

/** The records of one benchmark network: the querying client plus size − 1 others. */
function members(size: number): Array<{ id: string; name: string; ipv4: string }> {
  const list = [{ id: 'c0000', name: 'client', ipv4: CLIENT }];
  for (let i = 1; i < size; i++) list.push({ id: `c${String(i).padStart(4, '0')}`, name: `ctr-${i}`, ipv4: `127.1.${i >> 8}.${i & 255}` });
  return list;
}

function ctrnetView(size: number): DnsView {
  const containers = members(size).map((m) => ({ ...m, aliases: [] }));
  return { upstream: [], networks: [{ id: 'bench', name: 'bench', internal: false, listen: [LISTEN], containers }] };
}

/** aardvark-dns's config-dir format (protocols.md 5.2): first line the listen IPs, then `id v4 v6 names`. */
function aardvarkConfig(size: number): string {
  return `${LISTEN}\n${members(size).map((m) => `${m.id} ${m.ipv4}  ${m.name}`).join('\n')}\n`;
}

function findAardvark(): string | undefined {
  if (existsSync('/usr/lib/podman/aardvark-dns')) return '/usr/lib/podman/aardvark-dns';
  try {
    return execFileSync('dpkg', ['-L', 'aardvark-dns'], { encoding: 'utf8' }).split('\n').find((p) => p.endsWith('/aardvark-dns') && existsSync(p));
  } catch {
    return undefined;
  }
}

/** Stops a daemonised aardvark by the PID it wrote, after checking the PID is still aardvark. */
async function stopByPid(pid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'aardvark-dns';
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 40 && alive(); i++) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
}

async function startContender(tn: TestNamespaces, ns: NetnsHandle, dir: string, c: Contender, aardvark: string): Promise<void> {
  if (c.server === 'ctrnet') {
    const viewFile = join(dir, `view-${c.size}.json`);
    await writeFile(viewFile, JSON.stringify(ctrnetView(c.size)));
    const proc = tn.spawn(ns, [process.execPath, here('./serve.js'), viewFile, String(c.port), LISTEN]);
    await proc.waitForOutput('ready');
    c.pid = proc.pid;
    return;
  }
  const configDir = join(dir, `aardvark-${c.size}`);
  await mkdir(configDir);
  await writeFile(join(configDir, 'bench'), aardvarkConfig(c.size));
  // AARDVARK_NO_PROXY: nothing may be forwarded, whatever the host's resolv.conf says.
  await execIn(ns, ['env', 'AARDVARK_NO_PROXY=1', aardvark, '--config', configDir, '-p', String(c.port), 'run']);
  const pid = Number(readFileSync(join(configDir, 'aardvark.pid'), 'utf8'));
  c.pid = pid;
  tn.defer(() => stopByPid(pid));
}

async function load(ns: NetnsHandle, c: Contender, queries: number, warmup: number): Promise<Run> {
  const name = c.size > 1 ? `ctr-${Math.floor(c.size / 2)}` : 'client';
  const argv = [process.execPath, here('./loadgen.js'), LISTEN, String(c.port), CLIENT, name, String(queries), String(IN_FLIGHT), String(warmup)];
  const cpuBefore = cpuUs(c.pid!);
  const result = JSON.parse((await execIn(ns, argv)).stdout) as LoadResult;
  return { ...result, serverCpuUs: cpuUs(c.pid!) - cpuBefore, served: queries + warmup };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A load run plus what the server spent on it. */
interface Run extends LoadResult {
  serverCpuUs: number;
  /** Queries the server answered in the run, warm-up included. */
  served: number;
}

interface Summary {
  qps: number;
  /** Slowest and fastest run: how much the machine's load moved the figures. */
  qpsRange: [number, number];
  p50Us: number;
  p99Us: number;
  lost: number;
  wrong: number;
  /** Server CPU per query over all runs: unlike the rest, barely moved by other load on the machine. */
  cpuUsPerQuery: number;
}

function summarise(runs: Run[]): Summary {
  return {
    qps: median(runs.map((r) => r.qps)),
    qpsRange: [Math.min(...runs.map((r) => r.qps)), Math.max(...runs.map((r) => r.qps))],
    p50Us: median(runs.map((r) => r.p50Us)),
    p99Us: median(runs.map((r) => r.p99Us)),
    lost: runs.reduce((s, r) => s + r.lost, 0),
    wrong: runs.reduce((s, r) => s + r.wrong, 0),
    cpuUsPerQuery: runs.reduce((s, r) => s + r.serverCpuUs, 0) / runs.reduce((s, r) => s + r.served, 0),
  };
}

function printTable(results: Map<string, Summary>): void {
  const columns = [...results.keys()];
  const rows: Array<[string, (s: Summary) => string]> = [
    ['queries/s', (s) => Math.round(s.qps).toLocaleString('en-US')],
    ['  range of runs', (s) => s.qpsRange.map((q) => `${Math.round(q / 1000)}k`).join('–')],
    ['p50 latency (µs)', (s) => s.p50Us.toFixed(0)],
    ['p99 latency (µs)', (s) => s.p99Us.toFixed(0)],
    ['server CPU µs/query', (s) => s.cpuUsPerQuery.toFixed(1)],
    ['lost / wrong', (s) => `${s.lost} / ${s.wrong}`],
  ];
  const width = 20;
  console.log(''.padEnd(width) + columns.map((c) => c.padStart(16)).join(''));
  for (const [label, cell] of rows) console.log(label.padEnd(width) + columns.map((c) => cell(results.get(c)!).padStart(16)).join(''));
}

function verdicts(results: Map<string, Summary>, haveAardvark: boolean): void {
  const line = (ok: boolean | undefined, text: string): void => console.log(`${ok === undefined ? '[n/a]   ' : ok ? '[met]   ' : '[missed]'} ${text}`);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  for (const size of SIZES) {
    const ours = results.get(`ctrnet@${size}`)!;
    const theirs = results.get(`aardvark@${size}`);
    line(haveAardvark ? ours.qps >= theirs!.qps : undefined, `throughput ≥ aardvark's at ${size}: ${fmt(ours.qps)} vs ${theirs ? fmt(theirs.qps) : '-'} q/s`);
    line(haveAardvark ? ours.p99Us <= theirs!.p99Us : undefined, `p99 ≤ aardvark's at ${size}: ${ours.p99Us.toFixed(0)} vs ${theirs ? theirs.p99Us.toFixed(0) : '-'} µs`);
  }
  const small = results.get(`ctrnet@${Math.min(...SIZES)}`)!;
  const large = results.get(`ctrnet@${Math.max(...SIZES)}`)!;
  const ratio = large.p50Us / small.p50Us;
  line(ratio <= 1.2, `our latency at ${Math.max(...SIZES)} ≤ 1.2 × at ${Math.min(...SIZES)}: p50 ${ratio.toFixed(2)}× (p99 ${(large.p99Us / small.p99Us).toFixed(2)}×)`);
}

async function main(): Promise<void> {
  const aardvark = findAardvark();
  const version = aardvark ? execFileSync(aardvark, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() : 'not installed';
  console.log(`${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; aardvark-dns: ${version.replace(/\s+/g, ' ')}`);
  console.log(`UDP, ${QUERIES.toLocaleString('en-US')} queries per run after ${WARMUP} warm-up, ${IN_FLIGHT} in flight, median of ${ROUNDS} rounds, one A name per run\n`);
  const tn = new TestNamespaces();
  const dir = await mkdtemp(join(tmpdir(), 'ctrnet-dns-bench-'));
  const interrupted = (): void => void tn.cleanup().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  const results = new Map<string, Summary>();
  try {
    const ns = await tn.create('dnsbench');
    const servers: Server[] = aardvark ? ['ctrnet', 'aardvark'] : ['ctrnet'];
    const contenders = SIZES.flatMap((size) => servers.map((server) => ({ server, size })))
      .map((c, i): Contender => ({ ...c, port: FIRST_PORT + i, label: `${c.server}@${c.size}` }));
    for (const c of contenders) await startContender(tn, ns, dir, c, aardvark!);
    const runs = new Map<Contender, Run[]>(contenders.map((c) => [c, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Every contender once per round, the starting one rotating, so load
      // drift on a shared machine hits all of them alike.
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(round + i) % contenders.length]!;
        runs.get(c)!.push(await load(ns, c, QUERIES, WARMUP));
      }
    }
    for (const c of contenders) results.set(c.label, summarise(runs.get(c)!));
  } finally {
    await tn.cleanup();
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', interrupted);
  }
  printTable(results);
  console.log('');
  verdicts(results, aardvark !== undefined);
}

await main();
