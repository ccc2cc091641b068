/**
 * The cgroups a fence's engines make. Every engine is pointed at one parent
 * named after the fence (dockerd `--cgroup-parent`, Podman `--cgroup-parent`,
 * containerd's namespace, an OCI bundle's `cgroupsPath`), so teardown only
 * has to remove that one subtree in each hierarchy.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { parseMounts, type CgroupLink } from './mounts.js';

const debug = createDebug('ctrnet:testkit:engines:cgroups');

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Mount points of every cgroup hierarchy (v1 and v2) as the host sees them. */
export function cgroupHierarchies(): string[] {
  return parseMounts(readFileSync('/proc/self/mounts', 'utf8'))
    .filter((m) => m.type === 'cgroup' || m.type === 'cgroup2')
    .map((m) => m.target);
}

/** Symlinks directly under /sys/fs/cgroup (`cpu -> cpu,cpuacct` on many hosts), to recreate inside a fence. */
export function cgroupLinks(): CgroupLink[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  return readdirSync(CGROUP_ROOT)
    .map((name) => join(CGROUP_ROOT, name))
    .filter((path) => lstatSync(path).isSymbolicLink())
    .map((path) => ({ path, target: readlinkSync(path) }));
}

/** True when a `/proc/PID/cgroup` text places the process at or below `parent` in any hierarchy. */
export function inCgroupTree(procCgroup: string, parent: string): boolean {
  return procCgroup.split('\n').some((line) => {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    return path === parent || path.startsWith(`${parent}/`);
  });
}

/** PIDs listed in `cgroup.procs` anywhere below `parent`. */
export function cgroupTreePids(parent: string): number[] {
  const pids = new Set<number>();
  for (const hierarchy of cgroupHierarchies()) {
    for (const dir of subtree(join(hierarchy, parent))) {
      for (const line of readOrEmpty(join(dir, 'cgroup.procs')).split('\n')) if (line) pids.add(Number(line));
    }
  }
  return [...pids];
}

/**
 * Removes `parent` and everything below it in every hierarchy, deepest
 * first (a cgroup with children cannot be removed). Returns the directories
 * that are left, e.g. because a process still sits in them.
 */
export function removeCgroupTree(parent: string): string[] {
  const left: string[] = [];
  for (const hierarchy of cgroupHierarchies()) {
    for (const dir of subtree(join(hierarchy, parent)).reverse()) {
      try {
        rmdirSync(dir);
        debug('removed %s', dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
      }
    }
  }
  return left;
}

/** `dir` and its sub-directories, parents before children; empty when `dir` does not exist. */
function subtree(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // gone already (an engine removed it meanwhile) or never made
  }
  const out = [dir];
  for (const entry of entries) if (entry.isDirectory()) out.push(...subtree(join(dir, entry.name)));
  return out;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
