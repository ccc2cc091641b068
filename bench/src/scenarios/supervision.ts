/**
 * What supervising detached containers costs in memory (issue 11: at most
 * 100 MiB for 100 containers, counted as PSS so pages shared between the
 * supervisors, libc and the shell's text, count once). On the warm library
 * API, `containers` times `run -d -- sleep infinity`; then every process of
 * every container's supervision is read from /proc/PID/smaps_rollup:
 *
 * - the supervision: the supervisor `sh`, its log-reading loop (a forked
 *   `sh`) and `tini`, found as the processes whose environment carries
 *   this state dir's CTRNET_REAP_STATE (the supervisor and its fork) and
 *   their descendants in our PID namespace;
 * - the containers' own commands: those descendants in a PID namespace of
 *   their own (PID 1 of each container), apart, since they are the user's.
 *
 * The sums of RSS are printed beside: they count every shared page once
 * per process, which is what made the figure look ten times larger.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { closeCtrnet, containerName, ctrnetStateDir, detachedSpec, openCtrnet, type OpenCtrnet } from '../ctrnet.js';
import { readRollup } from '../rss.js';

export interface SupervisionTask {
  kind: 'supervision';
  containers: number;
}

/** Memory of one group of processes, summed (KiB), and how many of each command name. */
export interface ProcessGroupMemory {
  processes: number;
  pssKiB: number;
  rssKiB: number;
  byCommand: Record<string, number>;
}

export interface SupervisionRecord {
  kind: 'supervision';
  status: 'ok' | 'failed' | 'interrupted';
  error?: string;
  containers: number;
  supervision?: ProcessGroupMemory;
  commands?: ProcessGroupMemory;
}

export async function runSupervision(task: SupervisionTask, tmpDir: string, signal: AbortSignal, log: (line: string) => void): Promise<SupervisionRecord> {
  const record: SupervisionRecord = { kind: 'supervision', status: 'failed', containers: task.containers };
  let ctrnet: OpenCtrnet | undefined;
  try {
    ctrnet = await openCtrnet(tmpDir, 'nftables');
    for (let i = 1; i <= task.containers; i++) {
      signal.throwIfAborted();
      await ctrnet.rt.containers.runDetached(detachedSpec(containerName(i), [], ['sleep', 'infinity']));
      if (i % Math.max(1, Math.round(task.containers / 4)) === 0) log(`  supervision: ${i}/${task.containers} containers running`);
    }
    const { supervision, commands } = measure(ctrnetStateDir(tmpDir));
    if (commands.processes !== task.containers) throw new Error(`found ${commands.processes} container commands for ${task.containers} containers: the count would mislead`);
    Object.assign(record, { supervision, commands, status: 'ok' });
  } catch (err) {
    record.status = signal.aborted ? 'interrupted' : 'failed';
    record.error = err instanceof Error ? err.message : String(err);
  } finally {
    await closeCtrnet(ctrnet).catch((err: unknown) => log(`  supervision: reset after the run failed: ${String(err)}`));
  }
  return record;
}

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

function measure(stateDir: string): { supervision: ProcessGroupMemory; commands: ProcessGroupMemory } {
  const procs = listProcs();
  const mark = `CTRNET_REAP_STATE=${stateDir}`;
  const family = new Set(procs.filter((p) => p.comm === 'sh' && environ(p.pid).includes(mark)).map((p) => p.pid));
  // Descendants: /proc lists parents before most children, but not always (PIDs wrap), hence until nothing is added.
  for (let size = -1; size !== family.size; ) {
    size = family.size;
    for (const p of procs) if (family.has(p.ppid)) family.add(p.pid);
  }
  const ours = readlinkSync('/proc/self/ns/pid');
  const supervision = emptyGroup();
  const commands = emptyGroup();
  for (const p of procs) {
    if (!family.has(p.pid)) continue;
    const memory = readRollup(p.pid);
    const namespace = pidNamespace(p.pid);
    if (!memory || !namespace) continue;
    const group = namespace === ours ? supervision : commands;
    group.processes++;
    group.pssKiB += memory.pssKiB;
    group.rssKiB += memory.rssKiB;
    group.byCommand[p.comm] = (group.byCommand[p.comm] ?? 0) + 1;
  }
  return { supervision, commands };
}

const emptyGroup = (): ProcessGroupMemory => ({ processes: 0, pssKiB: 0, rssKiB: 0, byCommand: {} });

function listProcs(): Proc[] {
  const procs: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOr(`/proc/${entry}/stat`);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.push({ pid: Number(entry), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
  }
  return procs;
}

const environ = (pid: number): string[] => (readOr(`/proc/${pid}/environ`) ?? '').split('\0');

function pidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** A /proc file, or undefined when its process is gone. */
function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
