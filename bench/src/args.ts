import { PORT_BACKENDS, type PortBackend } from './ctrnet.js';
import { DEFAULT_ENGINES_N } from './engines.js';
import type { DnsOptions } from './dns.js';
import { MAX_TOTAL_PORTS } from './scenarios/dataplane.js';

/** The parts of a bench run; without a section flag every one runs (--quick: the comparison only). */
export const SECTIONS = ['compare', 'startup', 'scaling', 'dataplane', 'overlay', 'dns'] as const;
export type Section = (typeof SECTIONS)[number];
/** What runs without a section flag: the overlay needs etcd and three hosts, the DNS section aardvark-dns, so they run only when asked for. */
const DEFAULT_SECTIONS: Section[] = ['compare', 'startup', 'scaling', 'dataplane'];

/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  sections: Section[];
  /** Containers per runner in the comparison. */
  n: number;
  quick: boolean;
  only?: string[];
  /** ctrnet port backends the scaling and data-plane sections run on. */
  backends: PortBackend[];
  /** Containers in the scaling run. */
  scalingN: number;
  /** Ports of the one-container-many-ports run. */
  manyPorts: number;
  /** Timed connects per data-plane round and path. */
  connects: number;
  /** Published ports in total of the data plane's two setups: few, many. */
  portCounts: [number, number];
  /** Rounds of the start-up section (each command once per round). */
  startupRounds: number;
  /** --help: print USAGE and do nothing else. */
  help: boolean;
  /** --engines: the real engines with ctrnet vs their own networking (src/engines.ts); only when asked for. */
  engines: boolean;
  /** Rounds of the engines section. */
  enginesN: number;
  /** The DNS section's sizes, rounds, concurrencies and durations. */
  dns: DnsOptions;
}

export const DEFAULT_N = 200;
export const QUICK_N = 20;
export const DEFAULT_SCALING_N = 1000;
export const DEFAULT_MANY_PORTS = 1000;
export const DEFAULT_CONNECTS = 300;
export const DEFAULT_PORT_COUNTS: [number, number] = [10, 10000];
export const DEFAULT_STARTUP_ROUNDS = 40;
export const QUICK_STARTUP_ROUNDS = 15;
export const DEFAULT_DNS: DnsOptions = { sizes: [10, 1000], rounds: 9, inFlight: [32, 1], warmupMs: 500, durationMs: 1500 };

export const USAGE = `usage: bash scripts/bench.sh [--quick] [--compare] [--startup] [--scaling] [--dataplane] [--overlay] [--dns] [options]
sections (without a section flag the first four run; --quick alone runs the comparison only):
  --compare        every runner side by side: N containers, one published port each
  --startup        one ctrnet command against node -e 0, through ctrnetd and in-process, side by side; the thin client's profile
  --scaling        ctrnet API: ${DEFAULT_SCALING_N} containers (#${DEFAULT_SCALING_N} vs #10), and one container publishing ${DEFAULT_MANY_PORTS} ports
  --dataplane      ctrnet API: TCP connect time to a published port with 10 vs 10,000 published ports
  --overlay        three hosts and etcd: time until a new container on one host is reached from another,
                   TCP throughput through the overlay vs plain VXLAN, run -d on overlay vs bridge
  --dns            only when given: queries/s and p50/p99 of a container-name query, ctrnet's resolver vs aardvark-dns,
                   with ${DEFAULT_DNS.sizes.join(' and ')} containers on the network
options:
  --n N            containers per runner in the comparison (default ${DEFAULT_N})
  --quick          N=${QUICK_N}, ${QUICK_STARTUP_ROUNDS} start-up rounds (explicit --n, --startup-rounds win)
  --only LIST      comparison runners to run, comma-separated
  --backends LIST  ctrnet port backends for --scaling and --dataplane (default ${PORT_BACKENDS.join(',')})
  --scaling-n N    containers in the scaling run (default ${DEFAULT_SCALING_N})
  --ports N        ports of the one-container run (default ${DEFAULT_MANY_PORTS})
  --connects N     timed connects per data-plane setup and client (default ${DEFAULT_CONNECTS})
  --port-counts F,M  published ports of the data plane's two setups, few and many (default ${DEFAULT_PORT_COUNTS.join(',')})
  --startup-rounds N  start-up rounds, each command once per round (default ${DEFAULT_STARTUP_ROUNDS})
  --engines        only when given: podman/docker run -d -p with ctrnet vs netavark, CNI reference plugins, Docker's bridge; CNI ADD alone
  --engines-n N    rounds of --engines (default ${DEFAULT_ENGINES_N})
  --dns-sizes F,M  containers on the DNS section's network, few and many (default ${DEFAULT_DNS.sizes.join(',')})
  --dns-rounds N   DNS rounds, every contender once per round at each concurrency (default ${DEFAULT_DNS.rounds})
  --dns-in-flight LIST  queries in flight, one run at each per round (default ${DEFAULT_DNS.inFlight.join(',')})
  --dns-duration MS  measured milliseconds of each DNS run, after ${DEFAULT_DNS.warmupMs} ms warm-up (default ${DEFAULT_DNS.durationMs})`;

/** Parses argv (without node and script); throws with the offending argument on bad input. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  let n: number | undefined;
  let quick = false;
  let only: string[] | undefined;
  let help = false;
  let backends: PortBackend[] = [...PORT_BACKENDS];
  let scalingN = DEFAULT_SCALING_N;
  let manyPorts = DEFAULT_MANY_PORTS;
  let connects = DEFAULT_CONNECTS;
  let portCounts = DEFAULT_PORT_COUNTS;
  let startupRounds: number | undefined;
  let engines = false;
  let enginesN = DEFAULT_ENGINES_N;
  const dns: DnsOptions = { ...DEFAULT_DNS };
  const sections: Section[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++k];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const list = (): string[] => value().split(',').map((s) => s.trim()).filter(Boolean);
    switch (flag) {
      // Host ports are 20000+i and must stay below 65536.
      case '--n':
        n = wholeNumber(flag, value(), 1, 45000);
        break;
      case '--scaling-n':
        scalingN = wholeNumber(flag, value(), 10, 45000);
        break;
      case '--ports':
        manyPorts = wholeNumber(flag, value(), 1, 45000);
        break;
      case '--connects':
        connects = wholeNumber(flag, value(), 1, 100000);
        break;
      case '--port-counts': {
        const counts = list().map((v) => wholeNumber(flag, v, 1, MAX_TOTAL_PORTS));
        if (counts.length !== 2) throw new Error(`--port-counts ${counts.join(',')}: give two counts, few and many, e.g. 10,10000\n${USAGE}`);
        portCounts = [counts[0]!, counts[1]!];
        break;
      }
      case '--startup-rounds':
        startupRounds = wholeNumber(flag, value(), 1, 10000);
        break;
      case '--quick':
        quick = true;
        break;
      case '--engines':
        engines = true;
        break;
      case '--engines-n':
        enginesN = wholeNumber(flag, value(), 1, 1000);
        break;
      case '--dns-sizes': {
        // The records number containers from 10.249.1.1 up; a /16 leaves room for 65,000.
        const sizes = list().map((v) => wholeNumber(flag, v, 1, 65000));
        if (sizes.length !== 2 || sizes[0]! >= sizes[1]!) throw new Error(`--dns-sizes ${sizes.join(',')}: give two sizes, few then many, e.g. 10,1000\n${USAGE}`);
        dns.sizes = sizes;
        break;
      }
      case '--dns-rounds':
        dns.rounds = wholeNumber(flag, value(), 1, 1000);
        break;
      case '--dns-in-flight':
        dns.inFlight = [...new Set(list().map((v) => wholeNumber(flag, v, 1, 4096)))].sort((a, b) => b - a);
        if (dns.inFlight.length === 0) throw new Error(`--dns-in-flight needs at least one count, e.g. 32,1\n${USAGE}`);
        break;
      case '--dns-duration':
        dns.durationMs = wholeNumber(flag, value(), 100, 600_000);
        break;
      case '--only':
        only = list();
        break;
      case '--backends': {
        const given = list();
        const unknown = given.filter((b) => !(PORT_BACKENDS as readonly string[]).includes(b));
        if (unknown.length > 0 || given.length === 0) throw new Error(`--backends ${given.join(',')}: choose from ${PORT_BACKENDS.join(', ')}`);
        backends = PORT_BACKENDS.filter((b) => given.includes(b));
        break;
      }
      case '--compare':
      case '--startup':
      case '--scaling':
      case '--dataplane':
      case '--overlay':
      case '--dns':
        if (inline !== undefined) throw new Error(`${flag} takes no value\n${USAGE}`);
        sections.push(flag.slice(2) as Section);
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  // --engines alone runs only the engines.
  const chosen: Section[] = sections.length > 0 ? SECTIONS.filter((s) => sections.includes(s)) : engines && !quick ? [] : quick ? ['compare'] : [...DEFAULT_SECTIONS];
  return {
    sections: chosen,
    n: n ?? (quick ? QUICK_N : DEFAULT_N),
    quick,
    only,
    backends,
    scalingN,
    manyPorts,
    connects,
    portCounts,
    startupRounds: startupRounds ?? (quick ? QUICK_STARTUP_ROUNDS : DEFAULT_STARTUP_ROUNDS),
    help,
    engines,
    enginesN,
    dns,
  };
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag} ${raw}: give a whole number from ${min} to ${max}`);
  return v;
}
