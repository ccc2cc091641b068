/**
 * One cgroup per container, so that "every process of the container" is a
 * kernel fact and not a guess: `stop` and `rm` end them all, gc and reset
 * find the processes of containers that no longer exist, `top` lists them
 * and `pause` freezes them. cgroup v2 (the unified hierarchy) where it is
 * mounted, else v1's freezer hierarchy, which both groups and freezes.
 *
 * Groups live under `ctrnet/<installation>/<container id>`, the
 * installation being a hash of the state dir: two state dirs on one machine
 * never see each other's groups.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';

const debug = createDebug('ctrnet:core:cgroups');

const ROOT = '/sys/fs/cgroup';

/** Which hierarchy holds the groups, and how a group is frozen there. */
interface Hierarchy {
  base: string;
  freeze(group: string, frozen: boolean): void;
}

function hierarchy(): Hierarchy | undefined {
  if (existsSync(join(ROOT, 'cgroup.controllers'))) {
    return { base: ROOT, freeze: (group, frozen) => writeFileSync(join(group, 'cgroup.freeze'), frozen ? '1' : '0') };
  }
  const freezer = join(ROOT, 'freezer');
  if (existsSync(join(freezer, 'cgroup.procs'))) {
    return { base: freezer, freeze: (group, frozen) => writeFileSync(join(group, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED') };
  }
  return undefined;
}

/** The cgroups of one installation's containers. */
export class ContainerGroups {
  private readonly tree: Hierarchy | undefined;
  private readonly dir: string | undefined;

  constructor(stateDir: string) {
    this.tree = hierarchy();
    const installation = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
    this.dir = this.tree && join(this.tree.base, 'ctrnet', installation);
  }

  /** Whether this machine offers a usable hierarchy (containers run without one, but cannot be paused). */
  get available(): boolean {
    return this.dir !== undefined;
  }

  /** Make the container's group; returns its path (the process joins it itself), or undefined without cgroups. */
  create(containerId: string): string | undefined {
    if (!this.dir) return undefined;
    const group = join(this.dir, containerId);
    mkdirSync(group, { recursive: true });
    return group;
  }

  /** PIDs in the container's group (empty when it has none). */
  pids(containerId: string): number[] {
    if (!this.dir) return [];
    try {
      return readFileSync(join(this.dir, containerId, 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }

  /** Freeze or thaw every process of the container (`pause` / `unpause`). */
  freeze(containerId: string, frozen: boolean): void {
    if (!this.tree || !this.dir) throw new CtrnetError('INVALID_STATE', 'pausing needs a cgroup freezer (cgroup v2, or v1 with the freezer controller); none is mounted on this machine');
    this.tree.freeze(join(this.dir, containerId), frozen);
  }

  /**
   * SIGKILL every process of the group, wait until it is empty, remove it.
   * Idempotent. A frozen group is thawed first, or the kill would wait.
   */
  async destroy(containerId: string): Promise<number> {
    if (!this.dir || !existsSync(join(this.dir, containerId))) return 0;
    const group = join(this.dir, containerId);
    let killed = 0;
    for (let round = 0; round < 200; round++) {
      const pids = this.pids(containerId);
      if (pids.length === 0) break;
      if (round === 0) {
        try {
          this.tree!.freeze(group, false);
        } catch {
          // not frozen, or no freezer file: nothing to thaw
        }
      }
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          if (round === 0) killed++;
        } catch {
          // gone already
        }
      }
      // SIGKILLed processes leave the group within a millisecond or two.
      await sleep(round < 3 ? 1 : 5);
    }
    try {
      rmdirSync(group);
    } catch (err) {
      debug('cannot remove %s: %s', group, (err as Error).message);
    }
    return killed;
  }

  /** Remove the (empty) group of this installation, and ctrnet's own when no other installation is left (`system reset`). */
  removeInstallation(): void {
    if (!this.dir) return;
    for (const dir of [this.dir, dirname(this.dir)]) {
      try {
        rmdirSync(dir);
      } catch {
        return; // not there, or still in use
      }
    }
  }

  /** Ids of every container that has a group (for gc: groups of containers that no longer run). */
  containers(): string[] {
    if (!this.dir) return [];
    try {
      return readdirSync(this.dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return [];
    }
  }
}
