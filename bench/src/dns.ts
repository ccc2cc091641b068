/**
 * `--dns`: queries per second and latency of ctrnet's resolver
 * (@ctrnet/dns, as ctrnetd runs it) against aardvark-dns (Podman's), for a
 * container name on a network of 10 and of 1,000 containers.
 *
 * Two throwaway namespaces joined by a veth pair: the resolvers' ("the
 * host", each resolver on port 53 of a gateway address of its own) and the
 * client's ("a container", whose address is in every network's records).
 * Each (resolver, size) is its own process with the records of one network,
 * all four up at once; a load generator process (dns-load.ts) in the client
 * namespace measures one of them at a time, the same query, concurrency and
 * duration for each, every contender once per round with the starting one
 * rotating, so load from the rest of this shared machine hits all alike.
 * Neither resolver has an upstream: nothing can leave the namespaces.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execIn, TestNamespaces, type NetnsHandle } from '@ctrnet/testkit';
import type { LoadRun, LoadSpec } from './dns-load.js';
import { summarizeDns, type DnsSummary } from './dns-stats.js';
import { aardvarkConfig, DNS_SUBNET, members, NETWORK_NAME, queriedName } from './dns-records.js';

const AARDVARK = '/usr/lib/podman/aardvark-dns';
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export const RESOLVERS = ['ctrnet', 'aardvark'] as const;
export type Resolver = (typeof RESOLVERS)[number];

export interface DnsOptions {
  /** Containers on the network, e.g. [10, 1000]. */
  sizes: number[];
  rounds: number;
  /** Queries outstanding at all times, one run at each level per round: many (throughput, latency under load) and 1 (a query's own latency). */
  inFlight: number[];
  /** Unmeasured lead-in of each run, then the measured window. */
  warmupMs: number;
  durationMs: number;
}

/** The runs of one contender at one concurrency, run k from round k (so contenders pair up by round). */
export interface DnsLevel {
  inFlight: number;
  runs: LoadRun[];
  /** Once every round ran. */
  summary?: DnsSummary;
}

export interface DnsContender {
  resolver: Resolver;
  size: number;
  gateway: string;
  levels: DnsLevel[];
}

export interface DnsResult {
  status: 'ok' | 'failed';
  error?: string;
  options: DnsOptions;
  /** `aardvark-dns --version`, e.g. "aardvark-dns 1.4.0", or why it did not run. */
  aardvark: string;
  contenders: DnsContender[];
}

/** The resolvers' namespace with one gateway address per contender, the client's with the client address, a veth between. */
async function topology(tn: TestNamespaces, gateways: readonly string[]): Promise<{ server: NetnsHandle; client: NetnsHandle }> {
  const server = await tn.create('dns-srv');
  const client = await tn.create('dns-cli');
  await server.exec(['ip', 'link', 'add', 'gw0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client.name]);
  for (const gateway of gateways) await server.exec(['ip', 'addr', 'add', `${gateway}/${DNS_SUBNET.prefix}`, 'dev', 'gw0', 'nodad']);
  await server.exec(['ip', 'link', 'set', 'gw0', 'up']);
  await client.exec(['ip', 'addr', 'add', `${DNS_SUBNET.client}/${DNS_SUBNET.prefix}`, 'dev', 'eth0']);
  await client.exec(['ip', 'link', 'set', 'eth0', 'up']);
  return { server, client };
}

/** Starts one contender in the resolvers' namespace; resolves to its PID once it is listening. */
async function start(tn: TestNamespaces, ns: NetnsHandle, dir: string, c: DnsContender): Promise<number> {
  if (c.resolver === 'ctrnet') {
    const proc = tn.spawn(ns, [process.execPath, here('./dns-serve.js'), String(c.size), c.gateway]);
    await proc.waitForOutput('ready');
    return proc.pid;
  }
  const configDir = join(dir, `aardvark-${c.size}`);
  mkdirSync(configDir);
  writeFileSync(join(configDir, NETWORK_NAME), aardvarkConfig(c.size, c.gateway));
  // `run` forks a daemon and returns once it serves. AARDVARK_NO_PROXY: nothing is forwarded, whatever resolv.conf says.
  await execIn(ns, ['env', 'AARDVARK_NO_PROXY=1', AARDVARK, '--config', configDir, '--port', '53', 'run']);
  const pid = Number(readFileSync(join(configDir, 'aardvark.pid'), 'utf8'));
  tn.defer(() => stopAardvark(pid));
  return pid;
}

/** Stops the daemonised aardvark by the PID it wrote, after checking that PID is still aardvark-dns. */
async function stopAardvark(pid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'aardvark-dns';
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 40 && alive(); i++) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
}

async function measure(ns: NetnsHandle, c: DnsContender, pid: number, inFlight: number, options: DnsOptions): Promise<LoadRun> {
  const spec: LoadSpec = { server: c.gateway, port: 53, source: DNS_SUBNET.client, name: queriedName(c.size), inFlight, warmupMs: options.warmupMs, durationMs: options.durationMs, serverPid: pid };
  const run = JSON.parse((await execIn(ns, [process.execPath, here('./dns-load.js'), JSON.stringify(spec)])).stdout) as LoadRun;
  const expected = members(c.size).find((m) => m.name === spec.name)!.ipv4;
  if (run.address !== expected) throw new Error(`${c.resolver}@${c.size} answered ${spec.name} with ${run.address}, not its record ${expected}`);
  return run;
}

/** Runs the section; `stopped` is polled between runs (SIGINT), and cleanup happens either way. */
export async function measureDns(options: DnsOptions, log: (line: string) => void, stopped: () => boolean): Promise<DnsResult> {
  const hasAardvark = existsSync(AARDVARK);
  const aardvark = hasAardvark ? (await execIn(undefined, [AARDVARK, '--version'])).stdout.trim() : `not installed (${AARDVARK}: Debian package aardvark-dns)`;
  const resolvers = RESOLVERS.filter((r) => r === 'ctrnet' || hasAardvark);
  const contenders = options.sizes.flatMap((size) => resolvers.map((resolver) => ({ resolver, size })))
    .map((c, k): DnsContender => ({ ...c, gateway: DNS_SUBNET.gateway(k), levels: options.inFlight.map((inFlight) => ({ inFlight, runs: [] })) }));
  const result: DnsResult = { status: 'ok', options, aardvark, contenders };
  const tn = new TestNamespaces();
  const dir = await mkdtemp(join(tmpdir(), 'ctrnet-bench-dns-'));
  try {
    const { server, client } = await topology(tn, contenders.map((c) => c.gateway));
    const pids = new Map<DnsContender, number>();
    for (const c of contenders) pids.set(c, await start(tn, server, dir, c));
    // One untimed run each first, so that round 1 does not time a server's first queries (V8 compiling ctrnet's hot path).
    for (const c of contenders) await measure(client, c, pids.get(c)!, options.inFlight[0]!, options);
    log(`bench: dns, ${contenders.map((c) => `${c.resolver}@${c.size}`).join(', ')}: ${options.rounds} rounds of ${options.durationMs} ms runs, ${options.inFlight.join(' and ')} queries in flight`);
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(round + i) % contenders.length]!;
        for (const level of c.levels) {
          if (stopped()) throw new Error('interrupted');
          level.runs.push(await measure(client, c, pids.get(c)!, level.inFlight, options));
        }
      }
    }
    for (const level of contenders.flatMap((c) => c.levels)) if (level.runs.length === options.rounds) level.summary = summarizeDns(level.runs);
  } catch (err) {
    result.status = 'failed';
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await tn.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}
