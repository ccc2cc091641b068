/**
 * Where the thin client's CPU time goes, by function: `node --cpu-prof`
 * runs of one command, self time per function summed over the runs and
 * divided by their number. A frame inside Node is shown with the nearest
 * caller of ours, so `isIPv6 (net)` reads as "from send (chunk-X.mjs)".
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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

/** The `top` frames by mean self time over `runs` profiled runs of `argv` (a node command line). */
export async function hottestFrames(argv: readonly string[], options: ExecOptions, dir: string, runs: number, top = 8): Promise<HotFrame[]> {
  mkdirSync(dir, { recursive: true });
  const [node, ...rest] = argv;
  for (let k = 0; k < runs; k++) await exec([node!, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(INTERVAL_US), ...rest], options);
  // Per frame: its self time by context (`from …`, `while loading …`, or ''), over every run.
  const frames = new Map<string, Map<string, number>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, (frame, from, ms) => {
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

function selfTimes(profile: CpuProfile, add: (frame: string, from: string, ms: number) => void): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const ours = (url: string): boolean => url.includes('/packages/') || url.includes('/plugins/') || url.includes('/node_modules/');
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
