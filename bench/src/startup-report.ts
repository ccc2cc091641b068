/**
 * The start-up section's text: each command against `node -e 0`, the thin
 * client's loaded files and the forbidden-package check, and where its
 * time goes; and the daemon's memory line under the comparison.
 */
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILED, type Profiled, type TimeSplit } from './client-profile.js';
import type { RunRecord } from './harness.js';
import type { StartupResult } from './results.js';
import type { RssReading } from './rss.js';
import { STARTUP_COMMANDS, type DaemonCommand, type StartupCommand } from './scenarios/startup.js';
import { formatColumns } from './table.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const STARTUP_LABELS: Record<StartupCommand, string> = {
  node: 'node -e 0',
  psDaemon: 'ctrnet ps, through ctrnetd',
  psLocal: 'ctrnet ps, in-process',
  runDaemon: 'ctrnet run -d -p, through ctrnetd',
  rmDaemon: 'ctrnet rm -f, through ctrnetd',
};

const PROFILED_LABELS: Record<Profiled, string> = { node: 'node -e 0', load: 'load only', ps: 'ps', run: 'run -d -p', rm: 'rm -f' };

const ms = (v: number): string => v.toFixed(1);
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (k: number): string => (k / 1024).toFixed(1);

export function renderStartup(r: StartupResult): string {
  const parts = [`Start-up: one ctrnet command from the shell against node -e 0, ${r.rounds} rounds, the commands interleaved (ms)`, ''];
  if (!r.stats || !r.ratios) return [...parts, `${r.status.toUpperCase()}: ${r.error ?? ''}`].join('\n');
  const { stats, ratios } = r;
  const daemon = (c: StartupCommand) => r.daemonSplit?.[c as DaemonCommand];
  const rows = STARTUP_COMMANDS.map((c) => [
    STARTUP_LABELS[c],
    ms(stats[c].median),
    ms(stats[c].p90),
    `${ratios[c].toFixed(2)}x`,
    daemon(c) ? ms(daemon(c)!.inDaemon) : '-',
    daemon(c) ? ms(daemon(c)!.clientAdds) : '-',
  ]);
  parts.push(formatColumns(['', 'median', 'p90', 'median / node -e 0', 'in ctrnetd', 'client adds'], rows));
  parts.push('"in ctrnetd": median time the daemon took to answer (its own log); "client adds": median over rounds of (wall - in ctrnetd - the same round\'s node -e 0)');
  if (r.profile) parts.push('', ...renderProfile(r));
  return parts.join('\n');
}

function renderProfile(r: StartupResult): string[] {
  const { files, forbidden, builtins, command, cpu } = r.profile!;
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const lines = [`Thin client: ${command} loaded ${files.length} files, ${kib(total)} (recorded by a loader hook):`, ''];
  lines.push(formatColumns(['file', 'size', 'holds'], files.map((f) => [relative(REPO, f.path), kib(f.bytes), f.packages.join(', ')]), [2]));
  lines.push(
    forbidden.length === 0
      ? 'no better-sqlite3, zod, execa, tsyringe or plugin code among them (checked against esbuild\'s module comments in each chunk)'
      : `FORBIDDEN on the thin-client path: ${forbidden.join(', ')}`,
    `Node built-ins beyond node -e 0: ${builtins.join(', ') || 'none'}`,
    '',
    `Most CPU time in ${command}: self time per run, mean of ${cpu.runs} runs with node --cpu-prof (where a frame of Node's own is called from most)`,
    ...cpu.hottest.map((h) => `  ${ms(h.ms).padStart(5)} ms  ${h.frame}${h.from ? `, ${h.from}` : ''}`),
  );
  const { inProcess } = r.profile!;
  if (inProcess) {
    lines.push(
      '',
      `In-process ctrnet ps (no daemon): CPU time by package, mean of ${inProcess.runs} runs with node --cpu-prof (a bundle's lines mapped to the module they come from)`,
      ...inProcess.byPackage.map((p) => `  ${ms(p.ms).padStart(5)} ms  ${p.what}`),
    );
  }
  if (r.split) {
    const split = r.split;
    const row = (label: string, value: (t: TimeSplit) => string): string[] => [label, ...PROFILED.map((p) => value(split[p]))];
    lines.push(
      '',
      `Where the time goes: median of ${r.profile!.timing.node.length} runs each, with a timing preload (diagnostics_channel; ms);`,
      '"load only" loads what the CLI loads first (the fast path\'s bundle) and runs nothing: the share of "our code" that is loading',
      '',
      formatColumns(
        ['', ...PROFILED.map((p) => PROFILED_LABELS[p])],
        [
          row('Node boot (time origin -> first user code)', (t) => ms(t.bootMs)),
          row('our code to the first request (load, parse argv)', (t) => ms(t.beforeMs)),
          row('round trips to ctrnetd (requests)', (t) => (t.requests ? `${ms(t.roundTripMs)} (${t.requests})` : '-')),
          row('  of which ctrnetd answering', (t) => (t.requests ? ms(t.inDaemonMs) : '-')),
          row('our code after that (print, close, exit)', (t) => ms(t.afterMs)),
          row("outside Node's clock (exec, exit)", (t) => ms(t.outsideMs)),
          row('wall', (t) => ms(t.wallMs)),
          row('CPU time, user + sys, to the exit event', (t) => ms(t.cpuMs)),
        ],
      ),
    );
  }
  return lines;
}

/** For a target's reason column, from the profile's medians: e.g. `vs node -e 0: +31.0 ms our code to the first request, +3.5 ms in 2 round trips, ...`. */
export function overNode(r: StartupResult | undefined, p: Profiled): string {
  const t = r?.split?.[p];
  const base = r?.split?.node;
  if (!t || !base) return '';
  const boot = t.bootMs + t.outsideMs - (base.bootMs + base.outsideMs);
  const sign = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
  return `vs node -e 0: ${sign(t.beforeMs - base.beforeMs)} our code to the 1st request, ${sign(t.roundTripMs)} in ${t.requests} round trips (${ms(t.inDaemonMs)} ms of it ctrnetd's work), ${sign(t.afterMs)} after, ${sign(boot)} boot/exit; CPU ${sign(t.cpuMs - base.cpuMs)}`;
}

/**
 * For a ratio target's reason column: how the median splits into Node,
 * the client and the daemon's work, and what 1.2x would leave the daemon.
 */
export function ratioWhy(r: StartupResult | undefined, c: DaemonCommand): string {
  const split = r?.daemonSplit?.[c];
  const node = r?.stats?.node.median;
  if (!split || node === undefined) return '';
  return `node -e 0 ${ms(node)} ms + the client ${ms(split.clientAdds)} ms + ctrnetd answering ${ms(split.inDaemon)} ms; 1.2x leaves ${ms(0.2 * node)} ms for client and daemon together`;
}

const reading = (r: RssReading): string => `${mib(r.rssKiB)} MiB (anon ${mib(r.anonKiB)}, file ${mib(r.fileKiB)})`;

/** The daemon runner's memory line: idle after start, after the run, and bare Node beside it. */
export function describeResident(record: RunRecord): string | undefined {
  const res = record.resident;
  if (!res?.afterStart) return undefined;
  const after = res.afterRun ? `, ${reading(res.afterRun)} after ${record.n} containers were created and removed` : '';
  const node = res.idleNode ? `; bare node idles at ${reading(res.idleNode)}` : '';
  return `resident memory: ${reading(res.afterStart)} idle right after start${after}${node}`;
}

/** For the memory target's reason column: what the idle figure is made of, against bare Node. */
export function residentWhy(record: RunRecord | undefined): string {
  const res = record?.resident;
  if (!res?.afterStart) return '';
  const node = res.idleNode;
  const start = res.afterStart;
  const files = start.topFiles.map((f) => `${basename(f.path)} ${mib(f.kib)}`).join(', ');
  const alone = (v: number | undefined): string => (v === undefined ? '' : ` (node alone ${mib(v)})`);
  return `anon ${mib(start.anonKiB)} MiB${alone(node?.anonKiB)}, file ${mib(start.fileKiB)} MiB${alone(node?.fileKiB)}: ${files}`;
}
