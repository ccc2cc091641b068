/**
 * Finds and kills what a fence leaves behind, by PID, never by name. A
 * process belongs to a fence when its mount namespace is the fence's
 * (dockerd, containerd, shims, conmon, docker-proxy: they keep running after
 * their parent is gone, reparented to PID 1), when it sits in the fence's
 * cgroup tree (a container's processes live in a mount namespace of their
 * own), or when its parent belongs.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import createDebug from 'debug';
import { CtrnetError } from '@ctrnet/core';
import { cgroupTreePids, inCgroupTree } from './cgroups.js';

const debug = createDebug('ctrnet:testkit:engines:reaper');

/** How to recognise a fence's processes. */
export interface FenceIdentity {
  /**
   * `readlink /proc/PID/ns/mnt` of the fence, e.g. `mnt:[4026532390]`. Only
   * meaningful while the namespace is held open: a freed namespace's number
   * is soon given to a new one, maybe someone else's.
   */
  mntNs: string;
  /** The fence's cgroup parent, e.g. `/ctt-fence-Ab12Cd`. */
  cgroupParent: string;
  /** PIDs to leave alone (the fence's own helper while its namespace is still needed). */
  spare?: ReadonlySet<number>;
}

/** What /proc says about one process. `start` (field 22 of stat) tells a recycled PID from the original. */
interface ProcInfo {
  pid: number;
  ppid: number;
  start: string;
  zombie: boolean;
  mntNs: string;
  cgroup: string;
}

const WAIT_STEP_MS = 20;
const WAIT_LIMIT_MS = 5000;
const ROUNDS = 5;

/** A process as it was when seen: its PID and start time, which together never name another process. */
export interface ProcessRef {
  pid: number;
  start: string;
}

/** The processes of `refs` that still run (zombies count as dead). */
export function stillRunning(refs: readonly ProcessRef[]): number[] {
  return refs.filter((ref) => {
    const now = procInfo(ref.pid);
    return now !== undefined && !now.zombie && now.start === ref.start;
  }).map((ref) => ref.pid);
}

/** PIDs that belong to the fence right now (zombies excluded: they are already dead). */
export function fenceProcesses(id: FenceIdentity): ProcessRef[] {
  return [...collect(id).values()].map(({ pid, start }) => ({ pid, start }));
}

/**
 * Stops and kills every process of the fence, repeating until none is left
 * (each round first SIGSTOPs the lot, so nothing can fork or reparent away
 * between finding and killing). Returns the PIDs it killed; throws if some
 * survive, naming them.
 */
export async function reapFence(id: FenceIdentity): Promise<number[]> {
  const killed: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const found = collect(id);
    if (found.size === 0) return killed;
    for (const info of found.values()) signal(info, 'SIGSTOP');
    // Stopped processes cannot fork, but children forked just before the stop show up now.
    const all = new Map([...found, ...collect(id)]);
    for (const info of all.values()) if (signal(info, 'SIGKILL')) killed.push(info.pid);
    debug('round %d: killed %o', round, [...all.keys()]);
    await waitGone([...all.values()]);
  }
  const left = fenceProcesses(id).map((ref) => ref.pid);
  if (left.length > 0) throw new CtrnetError('INVALID_STATE', `processes ${left.join(', ')} of the fence survived SIGKILL; inspect them with ps -o pid,stat,cmd -p ${left.join(',')}`);
  return killed;
}

/** The fence's processes: direct members, then their descendants until nothing new turns up. */
function collect(id: FenceIdentity): Map<number, ProcInfo> {
  const all = new Map<number, ProcInfo>();
  for (const pid of listPids()) {
    const info = procInfo(pid);
    if (info && !info.zombie) all.set(pid, info);
  }
  const untouchable = new Set([1, process.pid, process.ppid, ...(id.spare ?? [])]);
  const members = new Map<number, ProcInfo>();
  const add = (info: ProcInfo): void => {
    if (!untouchable.has(info.pid)) members.set(info.pid, info);
  };
  for (const info of all.values()) if (info.mntNs === id.mntNs || inCgroupTree(info.cgroup, id.cgroupParent)) add(info);
  for (const pid of cgroupTreePids(id.cgroupParent)) {
    const info = all.get(pid);
    if (info) add(info);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const info of all.values()) {
      if (!members.has(info.pid) && members.has(info.ppid) && !untouchable.has(info.pid)) {
        add(info);
        grew = true;
      }
    }
  }
  return members;
}

/** Sends `sig` unless the PID now names another process (or none); true when sent. */
function signal(info: ProcInfo, sig: NodeJS.Signals): boolean {
  const now = procInfo(info.pid);
  if (!now || now.start !== info.start) return false;
  try {
    process.kill(info.pid, sig);
    return true;
  } catch {
    return false; // exited meanwhile
  }
}

async function waitGone(infos: readonly ProcInfo[]): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    if (infos.every((info) => isGone(info))) return;
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
}

function isGone(info: ProcInfo): boolean {
  const now = procInfo(info.pid);
  return !now || now.start !== info.start || now.zombie;
}

function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      start: fields[19]!,
      zombie: fields[0] === 'Z' || fields[0] === 'X',
      mntNs: readlinkSync(`/proc/${pid}/ns/mnt`),
      cgroup: readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
    };
  } catch {
    return undefined; // exited while we looked
  }
}
