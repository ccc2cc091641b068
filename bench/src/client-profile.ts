/**
 * The thin client's start-up, measured: which files `ctrnet ps` loads when
 * a daemon serves it, and where its time goes. Two kinds of runs, so the
 * recorder of one does not distort the other:
 *
 * - modules: `node --import preload/record-modules.js` records every module
 *   (a loader thread, so slower); bundle chunks are opened and the
 *   `// node_modules/…` comments esbuild writes before each module's code
 *   say which packages a chunk holds. Any better-sqlite3, zod, execa,
 *   tsyringe or plugin code in what the client loaded is listed as
 *   forbidden: the thin-client path must not pay for the runtime.
 * - timing: `node --require preload/time-client.cjs` (a diagnostics_channel
 *   subscription) splits each run's wall time into Node's boot, our code,
 *   and the round trips to the daemon; `node -e 0` with the same preload is
 *   the baseline. The runs alternate between the commands.
 * - CPU: `node --cpu-prof` runs name the functions the time goes to.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ctrnetArgv, CTRNET_CLI, ctrnetEnv } from './cli-process.js';
import { cpuByPackage, hottestFrames, packageOf, type HotFrame, type PackageTime } from './cpu-profile.js';
import { exec } from './exec.js';
import type { ClientTiming } from './preload/time-client.cjs';
import type { ServerTimes } from './server-times.js';

const RECORD_MODULES = fileURLToPath(new URL('./preload/record-modules.js', import.meta.url));
const TIME_CLIENT = fileURLToPath(new URL('./preload/time-client.cjs', import.meta.url));
const CPU_PROFILE_RUNS = 3;

/** What the thin-client path must not load (cli's local.ts keeps them behind import()). */
const FORBIDDEN_PACKAGES = ['better-sqlite3', 'zod', 'execa', 'tsyringe'];
const isForbidden = (pkg: string): boolean => FORBIDDEN_PACKAGES.includes(pkg) || pkg.startsWith('plugins/');

/** One file the client loaded. */
export interface LoadedFile {
  path: string;
  bytes: number;
  /** Packages whose code it holds: for a bundle chunk, from esbuild's path comments; else the package it lives in. */
  packages: string[];
}

/** One timed run, split on Node's clock. */
export interface TimeSplit {
  /** Spawn to exit, as the shell sees it. */
  wallMs: number;
  /** Node's time origin to the first line of user code (the preload). */
  bootMs: number;
  /** Our code from there to the first request (loading the modules, parsing argv, finding the daemon); to exit without requests. */
  beforeMs: number;
  /** Requests to ctrnetd, from making the connection to closing it, summed (they run one after another). */
  roundTripMs: number;
  requests: number;
  /** Of the round trips, the time ctrnetd spent answering (preload/time-server.cjs in the daemon): its work, not the client's. */
  inDaemonMs: number;
  /** Our code between the requests and after the last answer (printing, closing, exit handlers). */
  afterMs: number;
  /** CPU time of the process up to its exit event (user + system). */
  cpuMs: number;
  /** Wall time outside Node's clock: exec and loading the binary before the time origin, teardown after the exit event. */
  outsideMs: number;
}

/** `load` loads what the CLI loads first (the fast path's bundle) and runs nothing: how much of "our code" is loading it. */
export const PROFILED = ['node', 'load', 'ps', 'run', 'rm'] as const;
export type Profiled = (typeof PROFILED)[number];

export interface ClientProfile {
  /** The command whose modules were recorded. */
  command: string;
  files: LoadedFile[];
  /** Forbidden packages found, `zod (in chunk-X.mjs)`; empty when the path is clean. */
  forbidden: string[];
  /** Node built-in modules it loaded beyond what `node -e 0` loads (with the same recorder). */
  builtins: string[];
  /** The functions with the most CPU time in the command, over `runs` runs with `node --cpu-prof`. */
  cpu: { runs: number; hottest: HotFrame[] };
  /** Where the in-process `ps` (no daemon) spends its CPU, by package, over `runs` runs with `node --cpu-prof`. */
  inProcess: { runs: number; byPackage: PackageTime[] };
  /** Timed runs of `node -e 0`, of loading the CLI's first module, and of `ps`, `run -d -p` and `rm -f` (all through the daemon). */
  timing: Record<Profiled, TimeSplit[]>;
}

export interface ProfileOptions {
  /** The state dir a daemon serves. */
  stateDir: string;
  /** A state dir no daemon serves (the in-process profile). */
  localStateDir: string;
  tmpDir: string;
  runs: number;
  signal: AbortSignal;
  containerName: string;
  publish: string;
  /** The daemon's side of each request. */
  server: ServerTimes;
}

export async function profileClient(o: ProfileOptions): Promise<ClientProfile> {
  const ps = await recordModules(o, ctrnetArgv(o.stateDir, ['ps'], ['--import', RECORD_MODULES]), 'ps');
  const bare = await recordModules(o, [process.execPath, '--import', RECORD_MODULES, '-e', '0'], 'node');
  const files = ps.files.map(describeFile);
  const forbidden = files.flatMap((f) => f.packages.filter(isForbidden).map((pkg) => `${pkg} (in ${basename(f.path)})`));
  const builtins = ps.builtins.filter((name) => !bare.builtins.includes(name));

  const timing: ClientProfile['timing'] = { node: [], load: [], ps: [], run: [], rm: [] };
  const preload = ['--require', TIME_CLIENT];
  const argv: Record<Profiled, string[]> = {
    node: [process.execPath, ...preload, '-e', '0'],
    load: [process.execPath, ...preload, '-e', loadOnly()],
    ps: ctrnetArgv(o.stateDir, ['ps'], preload),
    run: ctrnetArgv(o.stateDir, ['run', '-d', '--name', o.containerName, '-p', o.publish, '--', 'sleep', 'infinity'], preload),
    rm: ctrnetArgv(o.stateDir, ['rm', '-f', o.containerName], preload),
  };
  for (let k = 0; k < o.runs; k++) {
    for (const what of PROFILED) {
      o.signal.throwIfAborted();
      timing[what].push(await timeRun(o, argv[what], what === 'node' || what === 'load' ? 0 : 1));
    }
  }
  const hottest = await hottestFrames(ctrnetArgv(o.stateDir, ['ps']), { env: ctrnetEnv('required') }, join(o.tmpDir, 'cpu-profiles'), CPU_PROFILE_RUNS);
  const byPackage = await cpuByPackage(ctrnetArgv(o.localStateDir, ['ps']), { env: ctrnetEnv('never') }, join(o.tmpDir, 'cpu-profiles-local'), CPU_PROFILE_RUNS);
  return { command: 'ctrnet ps (through ctrnetd)', files, forbidden, builtins, cpu: { runs: CPU_PROFILE_RUNS, hottest }, inProcess: { runs: CPU_PROFILE_RUNS, byPackage }, timing };
}

/** A script that loads what bin/ctrnet.js loads first, the fast path's bundle (else the tsc output's entry, as the script falls back), and runs nothing. */
function loadOnly(): string {
  const fast = new URL('../dist/bundle/fast.cjs', pathToFileURL(CTRNET_CLI));
  if (existsSync(fast)) return `require(${JSON.stringify(fileURLToPath(fast))})`;
  return `import(${JSON.stringify(new URL('../dist/src/main.js', pathToFileURL(CTRNET_CLI)).href)})`;
}

async function recordModules(o: ProfileOptions, argv: string[], label: string): Promise<{ files: string[]; builtins: string[] }> {
  const log = join(o.tmpDir, `modules-${label}.log`);
  await exec(argv, { env: ctrnetEnv('required', { CTRNET_BENCH_MODULE_LOG: log }) });
  const files = new Set<string>();
  const builtins = new Set<string>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const what = rest.join(' ');
    if (kind === 'esm' && what.startsWith('file:')) files.add(fileURLToPath(what));
    else if (kind === 'cjs') files.add(what);
    // moduleLoadList names public modules `NativeModule fs`, Node's internals `NativeModule internal/…`.
    else if (kind === 'builtin' && what.startsWith('NativeModule ') && !what.startsWith('NativeModule internal/')) builtins.add(what.slice('NativeModule '.length));
  }
  return { files: [...files], builtins: [...builtins] };
}

function describeFile(path: string): LoadedFile {
  const bytes = statSync(path).size;
  if (!path.includes('/dist/bundle/')) return { path, bytes, packages: [packageOf(path)] };
  // esbuild (without minify) writes `// node_modules/zod/lib/types.js` before each module it bundles.
  const sources = readFileSync(path, 'utf8').match(/^\/\/ \S+\.(?:m?js|cjs|json)$/gm) ?? [];
  return { path, bytes, packages: [...new Set(sources.map((line) => packageOf(`/${line.slice(3)}`)))] };
}


async function timeRun(o: ProfileOptions, argv: string[], calls: number): Promise<TimeSplit> {
  const log = join(o.tmpDir, 'timing.json');
  o.server.drain();
  const start = performance.now();
  await exec(argv, { env: ctrnetEnv('required', { CTRNET_BENCH_TIMING_LOG: log }) });
  const wallMs = performance.now() - start;
  const t = JSON.parse(readFileSync(log, 'utf8')) as ClientTiming;
  const inDaemonMs = (await o.server.take(calls)).reduce((sum, ms) => sum + ms, 0);
  const roundTripMs = t.requests.reduce((sum, r) => sum + (Number.isFinite(r.endMs) ? r.endMs - r.startMs : 0), 0);
  const beforeMs = (t.requests[0]?.startMs ?? t.exitMs) - t.preloadMs;
  return { wallMs, bootMs: t.preloadMs, beforeMs, roundTripMs, requests: t.requests.length, inDaemonMs, cpuMs: t.cpuMs, afterMs: t.exitMs - t.preloadMs - beforeMs - roundTripMs, outsideMs: wallMs - t.exitMs };
}
