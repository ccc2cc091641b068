import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { crashPoint } from '../crash-point.js';
import { CtrnetError } from '../errors.js';
import { inSaga } from '../saga.js';
import type { ContainerRecord } from '../store/store.js';
import type { ProcessLaunch } from '../api/types.js';
import type { Attacher } from './attach.js';
import type { ContainerGroups } from './cgroups.js';
import { containerArgv, execArgv, type ProcessSetup } from './container-argv.js';
import type { RuntimeContext } from './context.js';
import { linkEnvironment } from './name-files.js';
import type { Networks } from './networks.js';
import { attachSocketPath, containerDir } from './paths.js';
import { planRun } from './plan-run.js';
import { isAlive, processStartTime, send, stopProcess } from './processes.js';
import type { RunSpec } from './run-spec.js';
import { declaredPorts, type ContainerSpec } from './spec.js';
import { recordedExit, spawnDetached, waitForInitPid, type RunFiles } from './supervisor.js';
import type { UndoKit } from './undo.js';
import { checkSignal, quote } from './validate.js';

const debug = createDebug('ctrnet:core:containers');

export type Container = ContainerRecord<ContainerSpec>;

/** Docker's grace period between the stop signal and SIGKILL. */
export const STOP_GRACE_MS = 10_000;

/** Docker's exit status for a command killed by SIGKILL (128 + 9). */
const KILLED = 137;

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A command's exit status, known (null or undefined: unknown) or still to be recorded by its supervisor. */
type ExitStatus = number | null | undefined | Promise<number | undefined>;

/** The container lifecycle: run, create, start, stop, kill, rm, and what ps/inspect/exec/attach need. */
export class Containers {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly networks: Networks,
    private readonly attacher: Attacher,
    private readonly undo: UndoKit,
    private readonly groups: ContainerGroups,
  ) {
    undo.undoers['container.finish-remove'] = (data) => this.finishRemove(data.id as string);
    undo.undoers['container.finish-stop'] = async (data) => {
      await this.finishStop(data.id as string, null);
    };
  }

  list(all: boolean): Container[] {
    return this.ctx.store.containers.all<ContainerSpec>().filter((c) => all || c.status === 'running' || c.status === 'paused');
  }

  get(nameOrId: string): Container {
    const found = this.ctx.store.containers.find<ContainerSpec>(nameOrId);
    if (!found) throw new CtrnetError('NOT_FOUND', `no such container: ${quote(nameOrId)}; list containers with: ctrnet ps -a`);
    return found;
  }

  /** `run -d`, and `run -t` (whose caller then attaches): create and start under a supervisor. */
  async runDetached(spec: RunSpec): Promise<Container> {
    const record = planRun(this.ctx, this.networks, spec, spec.rm || !spec.detach);
    return this.ctx.store.lock.withLock(async () => (await this.startLocked(record, 'detached')).started);
  }

  /** `create`: the container exists, with no network and no process, until `start`. */
  async create(spec: RunSpec): Promise<Container> {
    const record = planRun(this.ctx, this.networks, spec, spec.rm);
    return this.ctx.store.lock.withLock(async () => {
      await this.insert(record);
      return record;
    });
  }

  /**
   * Foreground `run` without a terminal: create the container and its
   * network, with the caller's process standing in for the command until the
   * caller reports the command's PID (`started`); the caller starts the
   * returned command itself, sharing its stdout and stderr (and stdin with
   * `-i`), and reports its exit (`exited`). If the caller dies first, gc
   * finds the stand-in gone and removes the container.
   */
  async runAttached(spec: RunSpec, callerPid: number): Promise<{ container: Container; launch: ProcessLaunch }> {
    const record = planRun(this.ctx, this.networks, spec, true);
    return this.ctx.store.lock.withLock(async () => {
      const { started, setup } = await this.startLocked(record, { attachedTo: callerPid });
      return { container: started, launch: { argv: containerArgv(setup), env: setup.env } };
    });
  }

  /** The foreground command of `runAttached` was started; its PID 1 reports its own PID through the init pid file. Returns that PID. */
  async started(id: string, starterPid: number): Promise<number> {
    const pid = await waitForInitPid(this.files(id).initPid).catch(() => starterPid);
    await this.ctx.store.lock.withLock(async () => {
      const container = this.ctx.store.containers.find<ContainerSpec>(id);
      if (!container || container.status !== 'running') return;
      this.ctx.store.containers.update({ ...container, pid, pidStart: processStartTime(pid) });
      await this.ctx.bus.emit('container.start', { container: { id, name: container.name }, pid });
    });
    return pid;
  }

  /** The foreground command of `runAttached` exited with `status`: remove the container. */
  async exited(id: string, status: number): Promise<void> {
    await this.ctx.store.lock.withLock(() => this.finishRemove(id, status));
  }

  /** Insert the row and announce it; the caller holds the lock. */
  private async insert(record: Container): Promise<void> {
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
      if (container.status === 'running' || container.status === 'paused') return container;
      return (await this.startLocked(container, 'detached')).started;
    });
  }

  /** The files of a container's current run. */
  private files(id: string): RunFiles & { initPid: string } {
    const dir = containerDir(this.ctx.config.stateDir, id);
    return { log: join(dir, 'log'), exit: join(dir, 'exit'), reap: join(dir, 'reap'), attachSocket: attachSocketPath(this.ctx.config.stateDir, id), gate: join(dir, 'start.gate'), initPid: join(dir, 'init.pid') };
  }

  /**
   * Attach the network and start the command: supervised in the background
   * (`detached`), or by the caller (`attachedTo` its PID, see runAttached).
   * A new (never started) container is inserted first; a failed first start
   * removes it again, a failed restart leaves it exited.
   */
  private async startLocked(container: Container, how: 'detached' | { attachedTo: number }): Promise<{ started: Container; setup: ProcessSetup }> {
    const ref = { id: container.id, name: container.name };
    const isNew = !this.ctx.store.containers.find(container.id);
    return inSaga(`start ${container.name}`, this.undo.undoers, this.ctx.store.operations.begin(`start ${container.name}`), async (saga) => {
      if (isNew) await saga.step('create', () => this.insert(container), { kind: 'container.row.delete', data: { id: container.id } });
      const attached = await this.attacher.attach(saga, container);
      const runId = container.runId + 1;
      const files = this.files(container.id);
      rmSync(files.initPid, { force: true });
      const cgroup = await saga.step('cgroup', () => this.groups.create(container.id), { kind: 'cgroup.destroy', data: { containerId: container.id } });
      const setup = this.processSetup(container, attached.sandbox.netnsPath, attached.hostsFile, attached.resolvFile, files.initPid, cgroup);
      // A foreground run with a terminal starts once its client is attached (it opens the gate).
      if (how === 'detached' && setup.tty && !container.spec.detach && isNew) setup.gate = files.gate;
      let pid: number;
      if (how === 'detached') {
        if (!this.ctx.reaper) throw new CtrnetError('INTERNAL', 'detached containers need a reaper (the ctrnet CLI); run them through the CLI');
        const reaper = this.ctx.reaper;
        // Journalled before the spawn: a crash before the PID is known must not leave the command running.
        pid = await saga.step('spawn', () => spawnDetached(setup, reaper, { containerId: container.id, runId }, files), {
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

  private processSetup(container: Container, netnsPath: string, hostsFile: string, resolvFile: string, initPidFile: string, cgroup?: string): ProcessSetup {
    const spec = container.spec;
    const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: spec.hostname, HOME: '/root' };
    if (spec.tty) env.TERM = 'xterm';
    else if (process.env.TERM && !spec.detach) env.TERM = process.env.TERM;
    for (const [alias, linkedName] of spec.links.map(([n, a]) => [a, n] as const)) {
      const linked = this.ctx.store.containers.find<ContainerSpec>(linkedName);
      const ip = linked && this.ctx.store.endpoints.ofContainer(linked.id)[0]?.ipv4;
      if (!linked || !ip) continue;
      for (const [k, v] of linkEnvironment(alias, container.name, ip, declaredPorts(linked.spec))) env[k] = v;
    }
    for (const [k, v] of spec.env) env[k] = v;
    const [mode] = spec.network.split(':');
    mkdirSync(containerDir(this.ctx.config.stateDir, container.id), { recursive: true, mode: 0o700 });
    return {
      netnsPath: netnsPath || undefined,
      hostname: mode === 'host' ? undefined : spec.hostname,
      hostsFile,
      resolvFile,
      env,
      command: spec.command,
      initPidFile,
      cgroup,
      workdir: spec.workdir,
      user: spec.userIds,
      tty: spec.tty ?? false,
      init: spec.init ?? false,
    };
  }

  /**
   * `stop`: the stop signal (SIGTERM, or `--stop-signal`), SIGKILL after the
   * grace period, then release addresses and ports. Records the command's
   * real exit status (7 stays 7; a SIGTERM death is 143, SIGKILL 137).
   */
  async stop(nameOrId: string, graceMs?: number): Promise<Container> {
    const container = this.get(nameOrId);
    if (container.status !== 'running' && container.status !== 'paused') return container;
    const { status } = await this.endProcess(container, graceMs);
    return this.ctx.store.lock.withLock(async () => {
      const journal = this.ctx.store.operations.begin(`stop ${container.name}`);
      journal.record({ kind: 'container.finish-stop', data: { id: container.id } });
      const stopped = await this.finishStop(container.id, status);
      journal.close();
      return stopped;
    });
  }

  /** `restart`: stop (if running), then start. */
  async restart(nameOrId: string, graceMs?: number): Promise<Container> {
    const container = this.get(nameOrId);
    if (container.spec.autoRemove) throw new CtrnetError('INVALID_STATE', `container ${container.name} is removed when its command exits (--rm or a foreground run); it cannot be restarted`);
    await this.stop(container.id, graceMs);
    return this.start(container.id);
  }

  /** `kill`: send a signal to the container's PID 1. What follows (exit, reaping) is the command's business. */
  async kill(nameOrId: string, signal: string): Promise<Container> {
    const container = this.get(nameOrId);
    if (container.status !== 'running' && container.status !== 'paused') throw new CtrnetError('INVALID_STATE', `container ${container.name} is not running; start it with: ctrnet start ${container.name}`);
    const sig = checkSignal(signal, 'signal');
    if (!isAlive(container.pid, container.pidStart)) throw new CtrnetError('INVALID_STATE', `container ${container.name} has no running process; its exit is being reaped (see ctrnet ps -a)`);
    if (container.status === 'paused' && sig === 'SIGKILL') this.groups.freeze(container.id, false);
    send(container.pid!, sig);
    return container;
  }

  /** `pause` / `unpause`: freeze or thaw every process of the container. */
  async pause(nameOrId: string, paused: boolean): Promise<Container> {
    return this.ctx.store.lock.withLock(async () => {
      const container = this.get(nameOrId);
      const from = paused ? 'running' : 'paused';
      if (container.status !== from) {
        throw new CtrnetError('INVALID_STATE', `container ${container.name} is ${container.status}, not ${from}; ${paused ? `start it with: ctrnet start ${container.name}` : 'nothing to unpause'}`);
      }
      this.groups.freeze(container.id, paused);
      const next: Container = { ...container, status: paused ? 'paused' : 'running' };
      this.ctx.store.containers.update(next);
      return next;
    });
  }

  /** `rename`: a new name, same everything else. */
  async rename(nameOrId: string, newName: string): Promise<Container> {
    return this.ctx.store.lock.withLock(async () => {
      const container = this.get(nameOrId);
      if (this.ctx.store.containers.nameTaken(newName)) throw new CtrnetError('CONFLICT', `container name ${quote(newName)} is already in use; pick another name`);
      const renamed: Container = { ...container, name: newName, spec: { ...container.spec, name: newName } };
      this.ctx.store.containers.update(renamed);
      await this.ctx.bus.emit('container.rename', { container: { id: container.id, name: newName }, oldName: container.name });
      return renamed;
    });
  }

  /**
   * Resolves when the container's command has exited, with its status. A
   * container removed when it exited (`--rm`, a foreground run) answers from
   * the event journal.
   */
  async wait(nameOrId: string): Promise<number> {
    const { id } = this.get(nameOrId);
    for (;;) {
      const now = this.ctx.store.containers.find<ContainerSpec>(id);
      if (!now) {
        const stop = this.ctx.store.events.last('container.stop', id)?.payload as { exitCode?: number | null } | undefined;
        return stop?.exitCode ?? KILLED;
      }
      if (now.status === 'exited' || (now.status === 'created' && now.runId > 0)) return now.exitCode ?? 0;
      await sleep(50);
    }
  }

  /** PIDs of every process of a running container, PID 1 first. */
  processes(nameOrId: string): number[] {
    const container = this.get(nameOrId);
    if (container.status !== 'running' && container.status !== 'paused') throw new CtrnetError('INVALID_STATE', `container ${container.name} is not running`);
    const pids = this.groups.pids(container.id);
    const init = container.pid;
    return init && !pids.includes(init) ? [init, ...pids] : [...pids].sort((a, b) => (a === init ? -1 : b === init ? 1 : a - b));
  }

  /**
   * End a running container's command: the stop signal, then SIGKILL after
   * the grace period; then every other process of its group. Resolves once
   * they are gone, with the recorded exit status still to come (undefined
   * when nobody records one): the supervisor writes it a moment after, and
   * {@link finishStop} awaits it only once the network is released, so
   * `rm -f` does not wait for the two one after the other.
   */
  private async endProcess(container: Container, graceMs?: number): Promise<{ status: Promise<number | undefined> }> {
    const files = this.files(container.id);
    // We release the network ourselves: the supervisor must not start a reaper.
    rmSync(files.reap, { force: true });
    if (container.status === 'paused') this.groups.freeze(container.id, false);
    const grace = graceMs ?? (container.spec.stopTimeout !== undefined ? container.spec.stopTimeout * 1000 : STOP_GRACE_MS);
    const how = await stopProcess(container.pid!, container.pidStart, grace, checkSignal(container.spec.stopSignal ?? 'SIGTERM'));
    await this.groups.destroy(container.id);
    const status = recordedExit(files, existsSync(files.reap) ? 0 : 500).then((recorded) => recorded ?? (how === 'killed' ? KILLED : undefined));
    return { status };
  }

  /** Release a container's network and mark it exited. Idempotent; the caller holds the lock. */
  private async finishStop(id: string, status: ExitStatus): Promise<Container> {
    const container = this.get(id);
    if (container.status === 'exited' || container.status === 'created') return container;
    await this.groups.destroy(id);
    await this.attacher.detach(container);
    const exitCode = await status;
    const exited: Container = {
      ...container,
      status: 'exited',
      pid: undefined,
      pidStart: undefined,
      exitCode: exitCode ?? container.exitCode ?? KILLED,
      finished: this.ctx.clock.now().toISOString(),
      spec: { ...container.spec, linkRules: [] },
    };
    this.ctx.store.containers.update(exited);
    await this.ctx.bus.emit('container.stop', { container: { id, name: container.name }, exitCode: exited.exitCode ?? null });
    return exited;
  }

  /** The supervisor reports the command of run `runId` exited with `status`. */
  async reap(id: string, runId: number, status: number): Promise<void> {
    await this.ctx.store.lock.withLock(async () => {
      const container = this.ctx.store.containers.find<ContainerSpec>(id);
      if (!container || container.runId !== runId || (container.status !== 'running' && container.status !== 'paused')) return;
      if (container.spec.autoRemove) await this.finishRemove(id, status);
      else await this.finishStop(id, status);
    });
  }

  /** `rm`: refuse a running container unless forced; refuse a network namespace others share. */
  async remove(nameOrId: string, force: boolean): Promise<void> {
    const container = this.get(nameOrId);
    const dependants = this.ctx.store.containers.sharingNetns([container.name, container.id]);
    if (dependants.length && !force) {
      throw new CtrnetError('INVALID_STATE', `container ${container.name} shares its network namespace with ${dependants.map((c) => c.name).join(', ')}; remove those first or use rm -f`);
    }
    let status: ExitStatus = null;
    if (container.status === 'running' || container.status === 'paused') {
      if (!force) throw new CtrnetError('INVALID_STATE', `container ${container.name} is ${container.status}; stop it first or use rm -f`);
      // Docker's rm -f kills at once: no grace period.
      ({ status } = await this.endProcess(container, 0));
    }
    await this.ctx.store.lock.withLock(async () => {
      const journal = this.ctx.store.operations.begin(`rm ${container.name}`);
      journal.record({ kind: 'container.finish-remove', data: { id: container.id } });
      await this.finishRemove(container.id, status);
      journal.close();
    });
  }

  /** Tear down and delete. Idempotent (gc finishes an interrupted rm with it); the caller holds the lock. */
  async finishRemove(id: string, exitCode: ExitStatus = null): Promise<void> {
    const container = this.ctx.store.containers.find<ContainerSpec>(id);
    if (!container) return;
    if (container.status === 'running' || container.status === 'paused') await this.finishStop(id, exitCode);
    crashPoint('rm: stopped');
    await this.groups.destroy(id);
    this.ctx.store.containers.delete(id);
    rmSync(containerDir(this.ctx.config.stateDir, id), { recursive: true, force: true });
    await this.ctx.bus.emit('container.remove', { container: { id, name: container.name } });
  }

  /** argv and environment that run `command` inside a running container's namespaces (and its cgroup). */
  exec(nameOrId: string, command: string[], options: { env?: [string, string][]; workdir?: string; user?: string } = {}): ProcessLaunch {
    const container = this.get(nameOrId);
    if (container.status !== 'running' || !isAlive(container.pid, container.pidStart)) {
      throw new CtrnetError('INVALID_STATE', `container ${container.name} is not running; start it with: ctrnet start ${container.name}`);
    }
    const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: container.spec.hostname, HOME: '/root' };
    for (const [k, v] of [...container.spec.env, ...(options.env ?? [])]) env[k] = v;
    const inner = execArgv(container.pid!, command, { workdir: options.workdir ?? container.spec.workdir, user: options.user ?? container.spec.userIds });
    const cgroup = this.groups.create(container.id);
    // Joins the container's cgroup first, so top lists it and stop ends it.
    const argv = cgroup ? ['sh', '-c', 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"', 'ctrnet-exec', cgroup, ...inner] : inner;
    return { argv, env };
  }

  logPath(nameOrId: string): string {
    return this.files(this.get(nameOrId).id).log;
  }

  /** Where `attach` connects: the pty holder's socket of a container with a terminal, else its log; and the start gate, if the command waits for one. */
  attachTarget(nameOrId: string): { tty: boolean; socket?: string; log: string; running: boolean; gate?: string } {
    const container = this.get(nameOrId);
    const files = this.files(container.id);
    return {
      tty: container.spec.tty ?? false,
      socket: container.spec.tty ? files.attachSocket : undefined,
      log: files.log,
      running: container.status === 'running',
      gate: existsSync(files.gate) ? files.gate : undefined,
    };
  }
}
