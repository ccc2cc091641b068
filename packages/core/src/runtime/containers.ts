import { rmSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { crashPoint } from '../crash-point.js';
import { CtrnetError } from '../errors.js';
import { inSaga } from '../saga.js';
import type { ContainerRecord } from '../store/store.js';
import type { Attacher } from './attach.js';
import type { RuntimeContext } from './context.js';
import { linkEnvironment } from './name-files.js';
import type { Networks } from './networks.js';
import { containerDir } from './paths.js';
import { planRun } from './plan-run.js';
import { containerArgv, isAlive, processStartTime, spawnDetached, stopProcess, type ProcessSetup } from './process.js';
import type { RunSpec } from './run-spec.js';
import { declaredPorts, type ContainerSpec } from './spec.js';
import type { UndoKit } from './undo.js';
import { quote } from './validate.js';
import type { ProcessLaunch } from '../api/types.js';

const debug = createDebug('ctrnet:core:containers');

export type Container = ContainerRecord<ContainerSpec>;

/** Docker's grace period between SIGTERM and SIGKILL on stop. */
export const STOP_GRACE_MS = 10_000;

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The container lifecycle: run, start, stop, rm, and what ps/inspect/exec need. */
export class Containers {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly networks: Networks,
    private readonly attacher: Attacher,
    private readonly undo: UndoKit,
  ) {
    undo.undoers['container.finish-remove'] = (data) => this.finishRemove(data.id as string);
    undo.undoers['container.finish-stop'] = async (data) => {
      await this.finishStop(data.id as string, null);
    };
  }

  list(all: boolean): Container[] {
    return this.ctx.store.containers.all<ContainerSpec>().filter((c) => all || c.status === 'running');
  }

  get(nameOrId: string): Container {
    const found = this.ctx.store.containers.find<ContainerSpec>(nameOrId);
    if (!found) throw new CtrnetError('NOT_FOUND', `no such container: ${quote(nameOrId)}; list containers with: ctrnet ps -a`);
    return found;
  }

  /** `run -d`: create and start in the background. */
  async runDetached(spec: RunSpec): Promise<Container> {
    const record = planRun(this.ctx, this.networks, spec, false);
    return this.ctx.store.lock.withLock(async () => (await this.startLocked(record, 'detached')).started);
  }

  /**
   * Foreground `run`: create the container and its network, with the
   * caller's process standing in for the command until the caller reports
   * the command's PID (`started`); the caller starts the returned command
   * itself, sharing its terminal, and reports its exit (`exited`). If the
   * caller dies first, gc finds the stand-in gone and removes the container.
   */
  async runAttached(spec: RunSpec, callerPid: number): Promise<{ container: Container; launch: ProcessLaunch }> {
    const record = planRun(this.ctx, this.networks, spec, true);
    return this.ctx.store.lock.withLock(async () => {
      const { started, setup } = await this.startLocked(record, { attachedTo: callerPid });
      return { container: started, launch: { argv: containerArgv(setup), env: setup.env } };
    });
  }

  /** The foreground command of `runAttached` runs as `pid`. */
  async started(id: string, pid: number): Promise<void> {
    await this.ctx.store.lock.withLock(async () => {
      const container = this.ctx.store.containers.find<ContainerSpec>(id);
      if (!container || container.status !== 'running') return;
      this.ctx.store.containers.update({ ...container, pid, pidStart: processStartTime(pid) });
      await this.ctx.bus.emit('container.start', { container: { id, name: container.name }, pid });
    });
  }

  /** The foreground command of `runAttached` exited with `status`: remove the container. */
  async exited(id: string, status: number): Promise<void> {
    await this.ctx.store.lock.withLock(() => this.finishRemove(id, status));
  }

  /** Insert the row; the caller holds the lock. */
  private async create(record: Container): Promise<void> {
    if (this.ctx.store.containers.nameTaken(record.name)) {
      throw new CtrnetError('CONFLICT', `container name ${quote(record.name)} is already in use; pick another --name`);
    }
    this.ctx.store.containers.insert(record);
    await this.ctx.bus.emit('container.create', { container: { id: record.id, name: record.name }, networkMode: record.networkMode });
  }

  /** `start`: take addresses and ports again and restart the command. */
  async start(nameOrId: string): Promise<Container> {
    return this.ctx.store.lock.withLock(async () => {
      const container = this.get(nameOrId);
      if (container.status === 'running') return container;
      return (await this.startLocked(container, 'detached')).started;
    });
  }
  /**
   * Attach the network and start the command: supervised in the background
   * (`detached`), or by the caller (`attachedTo` its PID, see runAttached).
   */
  private async startLocked(container: Container, how: 'detached' | { attachedTo: number }): Promise<{ started: Container; setup: ProcessSetup }> {
    const ref = { id: container.id, name: container.name };
    // A failed first start removes the container again; a failed restart leaves it exited.
    const isNew = container.status === 'created';
    return inSaga(`start ${container.name}`, this.undo.undoers, this.ctx.store.operations.begin(`start ${container.name}`), async (saga) => {
      if (isNew) await saga.step('create', () => this.create(container), { kind: 'container.row.delete', data: { id: container.id } });
      const attached = await this.attacher.attach(saga, container);
      const runId = container.runId + 1;
      const setup = this.processSetup(container, attached.sandbox.netnsPath, attached.hostsFile, attached.resolvFile);
      let pid: number;
      if (how === 'detached') {
        if (!this.ctx.reaper) throw new CtrnetError('INTERNAL', 'detached containers need a reaper (the ctrnet CLI); run them through the CLI');
        const dir = containerDir(this.ctx.config.stateDir, container.id);
        rmSync(join(dir, 'pid'), { force: true });
        const reaper = this.ctx.reaper;
        // Journalled before the spawn: a crash before the PID is known must not leave the command running.
        pid = await saga.step('spawn', () => spawnDetached(setup, reaper, { containerId: container.id, runId }, { log: join(dir, 'log'), pidFile: join(dir, 'pid') }), {
          kind: 'process.stop-supervised',
          data: { containerId: container.id, runId },
        });
        await saga.step('process started', () => undefined, { kind: 'process.stop', data: { pid, pidStart: processStartTime(pid) } });
      } else {
        pid = how.attachedTo;
      }
      const started: Container = {
        ...container,
        status: 'running',
        sandboxKey: attached.sandbox.netnsPath,
        sandboxKind: attached.sandbox.kind,
        pid,
        pidStart: processStartTime(pid),
        runId,
        exitCode: undefined,
        started: this.ctx.clock.now().toISOString(),
      };
      this.ctx.store.containers.update(started);
      if (how === 'detached') await this.ctx.bus.emit('container.start', { container: ref, pid });
      debug('started %s pid %d', container.name, pid);
      return { started, setup };
    });
  }

  private processSetup(container: Container, netnsPath: string, hostsFile: string, resolvFile: string): ProcessSetup {
    const spec = container.spec;
    const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: spec.hostname, HOME: '/root' };
    if (process.env.TERM && !spec.detach) env.TERM = process.env.TERM;
    for (const [alias, linkedName] of spec.links.map(([n, a]) => [a, n] as const)) {
      const linked = this.ctx.store.containers.find<ContainerSpec>(linkedName);
      const ip = linked && this.ctx.store.endpoints.ofContainer(linked.id)[0]?.ipv4;
      if (!linked || !ip) continue;
      for (const [k, v] of linkEnvironment(alias, container.name, ip, declaredPorts(linked.spec))) env[k] = v;
    }
    for (const [k, v] of spec.env) env[k] = v;
    const [mode] = spec.network.split(':');
    return {
      netnsPath: netnsPath || undefined,
      hostname: mode === 'host' ? undefined : spec.hostname,
      hostsFile,
      resolvFile,
      env,
      command: spec.command,
    };
  }

  /** `stop`: SIGTERM, SIGKILL after the grace period, then release addresses and ports. */
  async stop(nameOrId: string, graceMs = STOP_GRACE_MS): Promise<Container> {
    const container = this.get(nameOrId);
    if (container.status !== 'running') return container;
    this.silenceReaper(container);
    await stopProcess(container.pid!, container.pidStart, graceMs);
    return this.ctx.store.lock.withLock(async () => {
      const journal = this.ctx.store.operations.begin(`stop ${container.name}`);
      journal.record({ kind: 'container.finish-stop', data: { id: container.id } });
      const stopped = await this.finishStop(container.id, null);
      journal.close();
      return stopped;
    });
  }

  /** Release a container's network and mark it exited. Idempotent; the caller holds the lock. */
  private async finishStop(id: string, exitCode: number | null): Promise<Container> {
    const container = this.get(id);
    if (container.status === 'exited' || container.status === 'created') return container;
    await this.attacher.detach(container);
    const exited: Container = {
      ...container,
      status: 'exited',
      pid: undefined,
      pidStart: undefined,
      exitCode: exitCode ?? container.exitCode ?? 137,
      finished: this.ctx.clock.now().toISOString(),
      spec: { ...container.spec, linkRules: [] },
    };
    this.ctx.store.containers.update(exited);
    await this.ctx.bus.emit('container.stop', { container: { id, name: container.name }, exitCode });
    return exited;
  }

  /** The supervisor reports the command of run `runId` exited with `status`. */
  async reap(id: string, runId: number, status: number): Promise<void> {
    await this.ctx.store.lock.withLock(async () => {
      const container = this.ctx.store.containers.find<ContainerSpec>(id);
      if (!container || container.runId !== runId || container.status !== 'running') return;
      await this.finishStop(id, status);
    });
  }

  /** `rm`: refuse a running container unless forced; refuse a network namespace others share. */
  async remove(nameOrId: string, force: boolean): Promise<void> {
    const container = this.get(nameOrId);
    const dependants = this.ctx.store.containers.sharingNetns([container.name, container.id]);
    if (dependants.length && !force) {
      throw new CtrnetError('INVALID_STATE', `container ${container.name} shares its network namespace with ${dependants.map((c) => c.name).join(', ')}; remove those first or use rm -f`);
    }
    if (container.status === 'running') {
      if (!force) throw new CtrnetError('INVALID_STATE', `container ${container.name} is running; stop it first or use rm -f`);
      this.silenceReaper(container);
      await stopProcess(container.pid!, container.pidStart, STOP_GRACE_MS);
    }
    await this.ctx.store.lock.withLock(async () => {
      const journal = this.ctx.store.operations.begin(`rm ${container.name}`);
      journal.record({ kind: 'container.finish-remove', data: { id: container.id } });
      await this.finishRemove(container.id);
      journal.close();
    });
  }

  /** Tear down and delete. Idempotent (gc finishes an interrupted rm with it); the caller holds the lock. */
  async finishRemove(id: string, exitCode: number | null = null): Promise<void> {
    const container = this.ctx.store.containers.find<ContainerSpec>(id);
    if (!container) return;
    if (container.status === 'running') await this.finishStop(id, exitCode);
    crashPoint('rm: stopped');
    this.ctx.store.containers.delete(id);
    rmSync(containerDir(this.ctx.config.stateDir, id), { recursive: true, force: true });
    await this.ctx.bus.emit('container.remove', { container: { id, name: container.name } });
  }

  /** We release the network ourselves: tell the supervisor not to start a reaper (see process.ts). */
  private silenceReaper(container: Container): void {
    rmSync(join(containerDir(this.ctx.config.stateDir, container.id), 'pid'), { force: true });
  }

  /** argv that runs `command` inside a running container's namespaces. */
  execArgv(nameOrId: string, command: string[]): string[] {
    const container = this.get(nameOrId);
    if (container.status !== 'running' || !isAlive(container.pid, container.pidStart)) {
      throw new CtrnetError('INVALID_STATE', `container ${container.name} is not running; start it with: ctrnet start ${container.name}`);
    }
    return ['nsenter', `--target=${container.pid}`, '--net', '--uts', '--mount', '--', ...command];
  }

  logPath(nameOrId: string): string {
    return join(containerDir(this.ctx.config.stateDir, this.get(nameOrId).id), 'log');
  }
}
