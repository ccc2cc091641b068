/**
 * Where the thin client's CPU time goes, by function: `node --cpu-prof`
 * runs of one command, self time per function summed over the runs and
 * divided by their number. A frame inside Node is shown with the nearest
 * caller of ours, so `isIPv6 (net)` reads as "from send (chunk-X.mjs)".
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, type ExecOptions } from './exec.js';

/** Sampling interval (µs): fine enough for a process that lives ~100 ms. */
const INTERVAL_US = 100;
/** Not CPU work of the client: waiting for the daemon's answer. */
const SKIPPED = new Set(['(idle)', '(root)']);

export interface HotFrame {
  /** `function (file:line)`. */
  frame: string;
  /** For a frame of Node's own: `from <our nearest caller>`, else `while loading <module>`. */
  from?: string;
  /** Mean self time per run. */
  ms: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** `runs` runs of `argv` (a node command line) with `--cpu-prof`, their profiles written to `dir`. */
async function profileRuns(argv: readonly string[], options: ExecOptions, dir: string, runs: number): Promise<CpuProfile[]> {
  mkdirSync(dir, { recursive: true });
  const [node, ...rest] = argv;
  for (let k = 0; k < runs; k++) await exec([node!, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(INTERVAL_US), ...rest], options);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
}

/** The `top` frames by mean self time over `runs` profiled runs of `argv` (a node command line). */
export async function hottestFrames(argv: readonly string[], options: ExecOptions, dir: string, runs: number, top = 8): Promise<HotFrame[]> {
  const profiles = await profileRuns(argv, options, dir, runs);
  // Per frame: its self time by context (`from …`, `while loading …`, or ''), over every run.
  const frames = new Map<string, Map<string, number>>();
  for (const profile of profiles) {
    selfTimes(profile, (frame, from, ms) => {
      const contexts = frames.get(frame) ?? new Map<string, number>();
      contexts.set(from, (contexts.get(from) ?? 0) + ms);
      frames.set(frame, contexts);
    });
  }
  return [...frames]
    .map(([frame, contexts]) => {
      const [from] = [...contexts].sort((a, b) => b[1] - a[1])[0]!;
      const ms = [...contexts.values()].reduce((sum, v) => sum + v, 0) / runs;
      return { frame, ...(from ? { from } : {}), ms };
    })
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

/** CPU time of one package (or of Node itself), mean per run. */
export interface PackageTime {
  /** `zod`, `packages/core`, `node: compiling and linking modules`, … */
  what: string;
  ms: number;
}

/**
 * The `top` packages by mean CPU time over `runs` runs of `argv`: each
 * sample goes to the package of its innermost frame of ours (a bundle's
 * line is mapped to the module esbuild's `// path` comment above it names,
 * and top-level code shared by a chunk's hoisted modules to `<chunk> top
 * level`); samples with no frame of ours go to Node's module loading or the
 * rest of Node.
 */
export async function cpuByPackage(argv: readonly string[], options: ExecOptions, dir: string, runs: number, top = 10): Promise<PackageTime[]> {
  const profiles = await profileRuns(argv, options, dir, runs);
  const totals = new Map<string, number>();
  const modules = new Map<string, string[]>();
  const packageAt = (url: string, line: number): string => {
    const path = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (!path.includes('/dist/bundle/')) return packageOf(path);
    if (line === 0) return `${basename(path)} top level`;
    let map = modules.get(path);
    if (!map) {
      let current = basename(path);
      map = readFileSync(path, 'utf8').split('\n').map((text) => (current = /^\/\/ (\S+\.(?:m?js|cjs|json))$/.exec(text) ? packageOf(`/${text.slice(3)}`) : current));
      modules.set(path, map);
    }
    return map[line] ?? basename(path);
  };
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    profile.samples.forEach((id, k) => {
      const own = byId.get(id)!.callFrame.functionName;
      if (SKIPPED.has(own)) return;
      let what: string | undefined;
      let loading = false;
      for (let up: number | undefined = id; up !== undefined && what === undefined; up = parent.get(up)) {
        const { url, lineNumber } = byId.get(up)!.callFrame;
        if (isOurs(url)) what = packageAt(url, lineNumber);
        else if (url.startsWith('node:internal/modules/')) loading = true;
      }
      what ??= own === '(garbage collector)' ? 'node: garbage collection' : loading ? 'node: loading and compiling modules' : 'node: the rest';
      totals.set(what, (totals.get(what) ?? 0) + profile.timeDeltas[k]! / 1000);
    });
  }
  return [...totals]
    .map(([what, ms]) => ({ what, ms: ms / runs }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

const isOurs = (url: string): boolean => url.includes('/packages/') || url.includes('/plugins/') || url.includes('/node_modules/');

/** `zod`, `@scope/name`, `packages/core`, `plugins/driver-bridge`, or the file's name. */
export function packageOf(path: string): string {
  const at = path.lastIndexOf('/node_modules/');
  if (at >= 0) return /^((?:@[^/]+\/)?[^/]+)/.exec(path.slice(at + '/node_modules/'.length))![1]!;
  const own = /\/(packages|plugins)\/([^/]+)\//.exec(path);
  return own ? `${own[1]}/${own[2]}` : basename(path);
}

function selfTimes(profile: CpuProfile, add: (frame: string, from: string, ms: number) => void): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const ours = isOurs;
  const label = (id: number): string => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return url ? `${functionName || '(anonymous)'} (${basename(url)}:${lineNumber + 1})` : functionName;
  };
  profile.samples.forEach((id, k) => {
    const frame = label(id);
    if (SKIPPED.has(frame)) return;
    let from: string | undefined;
    let loading: string | undefined;
    if (!ours(byId.get(id)!.callFrame.url)) {
      for (let up = parent.get(id); up !== undefined && from === undefined; up = parent.get(up)) {
        const { functionName, url, lineNumber } = byId.get(up)!.callFrame;
        if (ours(url)) from = `from ${label(up)}`;
        // A module's top-level code is an anonymous frame at line 0.
        else if (loading === undefined && functionName === '' && lineNumber === 0 && url) loading = `while loading ${url}`;
      }
    }
    add(frame, from ?? loading ?? '', profile.timeDeltas[k]! / 1000);
  });
}
