/**
 * The DNS section's summaries, table and targets: ctrnet's throughput at
 * least aardvark-dns's and its p99 no worse (at the highest concurrency, at
 * each network size), and ctrnet's p50 with the most containers ≤ 1.2× that
 * with the fewest (at each concurrency). A missed target gets its reason
 * from the measured figures: rounds won (contenders pair up by round, so
 * load that changed between rounds cancels out), the server's CPU time per
 * query (barely moved by other load on the machine), and whether the load
 * generator was the bound.
 */
import type { DnsContender, DnsResult } from './dns.js';
import { roundsWhere, type DnsSummary } from './dns-stats.js';
import { formatColumns } from './table.js';

/** A client at this share of a core or more was busy all the time: it, not the server, set the pace. */
const CLIENT_BOUND_SHARE = 0.9;
const LATENCY_RATIO_TARGET = 1.2;

const label = (c: DnsContender): string => `${c.resolver}@${c.size}`;
const thousands = (v: number): string => Math.round(v).toLocaleString('en-US');
const us = (v: number): string => `${thousands(v)} µs`;
const k = (v: number): string => `${Math.round(v / 1000)}k`;
const levelOf = (c: DnsContender, inFlight: number) => c.levels.find((l) => l.inFlight === inFlight)!;
const summaryOf = (c: DnsContender, inFlight: number): DnsSummary => levelOf(c, inFlight).summary!;

export function renderDns(r: DnsResult): string {
  const { options } = r;
  const out = [
    `DNS: a container-name query (A, UDP) to the network's gateway, from a container on it; ctrnet@N: @ctrnet/dns as ctrnetd runs it, aardvark@N: ${r.aardvark}, with the same N containers`,
    `${options.rounds} rounds, each contender once per round at each concurrency, ${options.durationMs} ms measured after ${options.warmupMs} ms warm-up; medians of rounds`,
  ];
  const finished = r.contenders.filter((c) => c.levels.every((l) => l.summary));
  if (finished.length > 0) {
    const rows: string[][] = [];
    for (const inFlight of options.inFlight) {
      const s = finished.map((c) => summaryOf(c, inFlight));
      rows.push(
        [`${inFlight} in flight: queries/s`, ...s.map((x) => thousands(x.qps))],
        ['  range of rounds', ...s.map((x) => x.qpsRange.map(k).join('–'))],
        ['  p50 latency (µs)', ...s.map((x) => thousands(x.p50Us))],
        ['  p99 latency (µs)', ...s.map((x) => thousands(x.p99Us))],
        ['  server CPU µs/query', ...s.map((x) => x.serverCpuUsPerQuery.toFixed(1))],
        ['  load generator, share of a core', ...s.map((x) => x.clientCpuShare.toFixed(2))],
        ['  lost / wrong answers', ...s.map((x) => `${x.lost} / ${x.wrong}`)],
      );
    }
    out.push('', formatColumns(['', ...finished.map(label)], rows));
  }
  if (r.status !== 'ok') out.push(`failed: ${r.error}`);
  const targets = dnsTargets(finished, options.inFlight);
  // The reason column only when some target was missed.
  const header = targets.some((t) => t[4]) ? ['', 'measured', 'target', '', 'why (measured)'] : ['', 'measured', 'target', ''];
  if (targets.length) out.push('', 'DNS targets', '', formatColumns(header, targets, [4]));
  return out.join('\n');
}

function dnsTargets(contenders: readonly DnsContender[], levels: readonly number[]): string[][] {
  const lines: string[][] = [];
  const loaded = Math.max(...levels);
  const find = (resolver: string, size: number) => contenders.find((c) => c.resolver === resolver && c.size === size);
  const sizes = [...new Set(contenders.map((c) => c.size))].sort((a, b) => a - b);
  for (const size of sizes) {
    const [ours, theirs] = [find('ctrnet', size), find('aardvark', size)];
    if (!ours || !theirs) continue;
    const [a, b] = [levelOf(ours, loaded).runs, levelOf(theirs, loaded).runs];
    const [sa, sb] = [summaryOf(ours, loaded), summaryOf(theirs, loaded)];
    const qpsMet = sa.qps >= sb.qps;
    lines.push([`throughput at ${size} containers, ${loaded} in flight`, `${thousands(sa.qps)} q/s`, `≥ ${thousands(sb.qps)} q/s (aardvark)`, qpsMet ? 'met' : 'MISSED',
      qpsMet ? '' : throughputWhy(sa, sb, roundsWhere(a, b, (x, y) => x.qps >= y.qps))]);
    const p99Met = sa.p99Us <= sb.p99Us;
    lines.push([`p99 at ${size} containers, ${loaded} in flight`, us(sa.p99Us), `≤ ${us(sb.p99Us)} (aardvark)`, p99Met ? 'met' : 'MISSED',
      p99Met ? '' : latencyWhy(sa, sb, roundsWhere(a, b, (x, y) => x.p99Us <= y.p99Us), ['ctrnet', 'aardvark'])]);
  }
  const [few, many] = [find('ctrnet', sizes[0]!), find('ctrnet', sizes[sizes.length - 1]!)];
  if (few && many && few !== many) {
    for (const inFlight of levels) {
      const [a, b] = [levelOf(many, inFlight).runs, levelOf(few, inFlight).runs];
      const [sa, sb] = [summaryOf(many, inFlight), summaryOf(few, inFlight)];
      const ratio = sa.p50Us / sb.p50Us;
      const met = ratio <= LATENCY_RATIO_TARGET;
      lines.push([`ctrnet p50 at ${many.size} / at ${few.size} containers, ${inFlight} in flight`, `${ratio.toFixed(2)}x`, `≤ ${LATENCY_RATIO_TARGET.toFixed(2)}x`, met ? 'met' : 'MISSED',
        met ? '' : latencyWhy(sa, sb, roundsWhere(a, b, (x, y) => x.p50Us <= LATENCY_RATIO_TARGET * y.p50Us), [label(many), label(few)])]);
    }
  }
  return lines;
}

/** CPU per query differing by less than this is within the run-to-run spread of this figure on this machine. */
const SAME_CPU = 1.2;

const cpuOf = (names: [string, string], a: DnsSummary, b: DnsSummary): string =>
  `CPU per query ${names[0]} ${a.serverCpuUsPerQuery.toFixed(1)} µs, ${names[1]} ${b.serverCpuUsPerQuery.toFixed(1)} µs`;

/** Why ctrnet's throughput fell short: the load generator, the resolver's own cost, the machine's load, or waiting. */
function throughputWhy(ours: DnsSummary, theirs: DnsSummary, [won, rounds]: [number, number]): string {
  const cpu = cpuOf(['ctrnet', 'aardvark'], ours, theirs);
  const lost = ours.lost > 0 ? `; ${ours.lost} queries lost, each holding a slot for 1 s` : '';
  const spread = `rounds ${ours.qpsRange.map(k).join('–')} vs ${theirs.qpsRange.map(k).join('–')} q/s, ctrnet ahead in ${won} of ${rounds}${lost}`;
  if (ours.clientCpuShare >= CLIENT_BOUND_SHARE) return `the load generator was busy ${Math.round(ours.clientCpuShare * 100)} % of the time, so it set the pace; ${cpu}`;
  if (ours.serverCpuUsPerQuery > theirs.serverCpuUsPerQuery * SAME_CPU) return `ctrnet's resolver does more work per query: ${cpu}; ${spread}`;
  if (won * 3 >= rounds) return `similar work (${cpu}); ${spread}: the machine's load between runs, not the resolver`;
  return `similar work (${cpu}) yet behind in most rounds (${spread}): the gap is time spent waiting (scheduling, the socket path), not work`;
}

/** Why a latency fell short; `names` are ctrnet's contender and the one it is held to. */
function latencyWhy(ours: DnsSummary, other: DnsSummary, [held, rounds]: [number, number], names: [string, string]): string {
  const cpu = cpuOf(names, ours, other);
  if (ours.serverCpuUsPerQuery > other.serverCpuUsPerQuery * SAME_CPU) return `more work per query: ${cpu}; held in ${held} of ${rounds} rounds`;
  if (held * 3 >= rounds) return `similar work (${cpu}); held in ${held} of ${rounds} rounds: scheduling delays from the machine's other load`;
  return `similar work (${cpu}) yet missed in most rounds (held in ${held} of ${rounds}): the gap is time spent waiting (scheduling, the socket path), not work`;
}
