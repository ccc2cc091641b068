/**
 * The executor for a resident process (the ctrnetd daemon): the same
 * {@link Executor} contract as `ExecaExecutor`, but `ip` batches and
 * nft scripts for the executor's own namespace go to two long-lived
 * coprocesses, `ip -force -batch -` and `nft -i`: 0.4–0.6 ms a request
 * instead of 5–20 ms for a spawned process (`bench/exec-transport.ts`).
 * Everything else is spawned, with plain `child_process.spawn`.
 *
 * What never reaches the host coprocess (the namespace trap): a batch aimed
 * at another namespace (`netns` option), and a batch with a line that names
 * one by path (`link add ... peer ... netns PATH`). `ip` keeps an fd on
 * every namespace it opens until it exits, which would keep a deleted
 * container namespace, and the veth in it, alive.
 *
 * A container namespace made with {@link CoprocessExecutor.spareNetns} has a
 * session ({@link NetnsSession}) until {@link CoprocessExecutor.closeNetns}:
 * batches and sysctls aimed at it go to the session's processes inside it,
 * and a host line naming it goes to the host coprocess with the path
 * replaced by the PID of a process inside it, which ip hands to the kernel
 * without opening anything. Any other batch aimed at or naming a namespace
 * runs in a short-lived `ip -batch -` that has exited before the call
 * returns; so no coprocess holds a container's namespace once its set-up is
 * over, and nothing needs releasing before `ip netns delete`.
 *
 * The coprocesses exit on their own when their stdin closes, so a crashed
 * daemon leaves none behind.
 */
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import type { ExecResult, ExecTarget, Executor, IpBatchOptions, IpCommand, RunOptions, SpareNetns } from './executor.js';
import { IpChannel } from './ip-channel.js';
import { monitorCommand } from './monitor.js';
import { namesNamespace, spawnBatch } from './ip-batch.js';
import { NetnsSession } from './netns-session.js';
import { NftChannel } from './nft-channel.js';
import { spawnOnce } from './spawn-once.js';
import { parseSysctlArgv } from './sysctl.js';

const debug = createDebug('ctrnet:core:coprocess-executor');

/** Where iproute2 pins named namespaces, and looks up a digits-only `netns` argument before taking it for a PID. */
const NETNS_RUN_DIR = '/run/netns';

export interface CoprocessExecutorOptions {
  /**
   * The network namespace (a path `nsenter --net=` accepts) that plays "the
   * current namespace": coprocesses start inside it and every call without
   * a `netns` runs there. For integration tests, whose host is a throwaway
   * namespace; unset, it is the namespace the process runs in. The
   * coprocesses live in that namespace and keep it alive: close the
   * executor before deleting it.
   */
  hostNetns?: string;
}

/**
 * Runs kernel commands through resident coprocesses where that is safe and
 * spawns the rest. Requests to one coprocess are serialised; a coprocess
 * that dies fails the request in flight with an ExecError and is restarted
 * by the next one. Call {@link CoprocessExecutor.close} when done: the
 * coprocesses otherwise keep the Node process alive.
 */
export class CoprocessExecutor implements Executor {
  private readonly hostPrefix: readonly string[];
  private readonly ipChannel: IpChannel;
  private readonly nftChannel: NftChannel;
  private readonly sessions = new Map<string, NetnsSession>();

  constructor(options: CoprocessExecutorOptions = {}) {
    this.hostPrefix = netnsPrefix(options.hostNetns);
    this.ipChannel = new IpChannel({ prefix: this.hostPrefix });
    this.nftChannel = new NftChannel({ prefix: this.hostPrefix });
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    const session = this.sessionOf(options);
    const sysctl = session && options.input === undefined ? parseSysctlArgv(argv) : undefined;
    if (session && sysctl) {
      await session.sysctl(sysctl.settings, sysctl.ignoreMissing);
      return { stdout: '', stderr: '', exitCode: 0 };
    }
    return spawnOnce([...this.prefix(options), ...argv], options.input);
  }

  /** A new namespace, loopback up, with a session in it; {@link SpareNetns.pin} names it (through the host ip: `netns attach NAME PID`). */
  async spareNetns(): Promise<SpareNetns> {
    const session = await NetnsSession.open();
    let used = false;
    return {
      pin: async (path) => {
        if (used) throw new CtrnetError('INTERNAL', `this spare namespace was already pinned or discarded; make another`);
        if (dirname(path) !== NETNS_RUN_DIR || this.sessions.has(path)) throw new CtrnetError('INTERNAL', `cannot pin a namespace at ${path}: expected a free ${NETNS_RUN_DIR}/NAME`);
        used = true;
        try {
          await this.ipChannel.run([['netns', 'attach', basename(path), String(session.pid)]], false);
        } catch (err) {
          await session.close();
          throw err;
        }
        this.sessions.set(path, session);
      },
      discard: async () => {
        used = true;
        await session.close();
      },
    };
  }

  /** Ends the session of `path`, if it has one: its processes exit, the namespace stays. */
  async closeNetns(path: string): Promise<void> {
    const session = this.sessions.get(path);
    this.sessions.delete(path);
    await session?.close();
  }

  /**
   * Runs the batch in the host `ip` coprocess, or, when it targets or names
   * another namespace, in a short-lived `ip -batch -`. Either way the first
   * failing line stops the batch (unless `ignoreMissing`) and the
   * ExecError names it (`line`, and `argv` is that line's command).
   */
  async ip(commands: readonly IpCommand[], options: IpBatchOptions = {}): Promise<void> {
    if (commands.length === 0) return;
    const ignoreMissing = options.ignoreMissing ?? false;
    const session = this.sessionOf(options);
    if (session) return session.ip.run(commands, ignoreMissing);
    const byPid = options.netns ? undefined : this.namedByPid(commands);
    if (byPid) return this.ipChannel.run(byPid, ignoreMissing);
    if (options.netns || commands.some(namesNamespace)) {
      debug('short-lived ip for %d lines%s', commands.length, options.netns ? ` in ${options.netns}` : ' naming a namespace');
      return spawnBatch(this.prefix(options), commands, ignoreMissing);
    }
    return this.ipChannel.run(commands, ignoreMissing);
  }

  iptablesRestore(payload: string, options: ExecTarget & { family?: 4 | 6 } = {}): Promise<void> {
    const tool = options.family === 6 ? 'ip6tables-restore' : 'iptables-restore';
    // -w: wait for the xtables lock instead of failing when another tool holds it.
    return spawnOnce([...this.prefix(options), tool, '-w', '--noflush'], payload).then(() => undefined);
  }

  /** Applies the script as one transaction: through the host `nft -i` coprocess, or `nft -f -` in another namespace. */
  async nft(script: string, options: ExecTarget = {}): Promise<void> {
    if (options.netns) {
      await spawnOnce([...this.prefix(options), 'nft', '-f', '-'], script);
      return;
    }
    if (script.trim() === '') return;
    await this.nftChannel.apply(script);
  }

  monitor(argv: readonly string[], onLine: (line: string) => void, options: ExecTarget = {}): () => void {
    return monitorCommand([...this.prefix(options), ...argv], onLine);
  }

  /** Lets requests in progress finish, then stops the coprocesses and sessions (by the PIDs this executor started). */
  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all([this.ipChannel.close(), this.nftChannel.close(), ...sessions.map((s) => s.close())]);
  }

  /**
   * The batch with every `netns PATH` of an open session replaced by the
   * PID of its holder; undefined when some line names a namespace any
   * other way (or one without a session), which must then be spawned. A
   * digits-only name under /run/netns would shadow the PID: then too.
   */
  private namedByPid(commands: readonly IpCommand[]): IpCommand[] | undefined {
    if (!commands.some(namesNamespace)) return undefined;
    const rewritten: IpCommand[] = [];
    for (const command of commands) {
      if (command[0] === 'netns' || command.includes('link-netns')) return undefined;
      const line = [...command];
      for (let i = 1; i < line.length - 1; i++) {
        if (line[i] !== 'netns') continue;
        const pid = this.sessions.get(line[i + 1]!)?.pid;
        if (pid === undefined || existsSync(`${NETNS_RUN_DIR}/${pid}`)) return undefined;
        line[i + 1] = String(pid);
      }
      rewritten.push(line);
    }
    return rewritten;
  }

  /** The set-up session of the namespace a call is aimed at, if it has one. */
  private sessionOf(target: ExecTarget): NetnsSession | undefined {
    return target.netns === undefined ? undefined : this.sessions.get(target.netns);
  }

  private prefix(target: ExecTarget): readonly string[] {
    return target.netns ? netnsPrefix(target.netns) : this.hostPrefix;
  }
}

/** Enter a network namespace without a shell or a private mount namespace. */
function netnsPrefix(netns: string | undefined): readonly string[] {
  return netns ? ['nsenter', `--net=${netns}`, '--'] : [];
}
