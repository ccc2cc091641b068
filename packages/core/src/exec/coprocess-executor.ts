/**
 * The executor for a resident process (the ctrnetd daemon): the same
 * {@link Executor} contract as `ExecaExecutor`, but `ip` batches and
 * nft scripts for the executor's own namespace go to two long-lived
 * coprocesses, `ip -force -batch -` and `nft -i`: 0.4–0.6 ms a request
 * instead of 5–20 ms for a spawned process (`bench/exec-transport.ts`).
 * Everything else is spawned, with plain `child_process.spawn`.
 *
 * What never reaches a coprocess (the namespace trap): a batch aimed at
 * another namespace (`netns` option), and a batch with a line that names
 * one (`link add ... peer ... netns PATH`). `ip` keeps an fd on every
 * namespace it is told about until it exits, which would keep a deleted
 * container namespace, and the veth in it, alive. Those batches run in a
 * short-lived `ip -batch -` that has exited before the call returns, so no
 * coprocess ever holds a container's namespace and nothing needs releasing
 * before `ip netns delete`. A coprocess per container namespace would buy
 * nothing: starting one costs a spawn, and a join sends one batch per
 * namespace (start + one batch + close: 4.2 ms; one spawned batch: 4.0 ms).
 *
 * The coprocesses exit on their own when their stdin closes, so a crashed
 * daemon leaves none behind.
 */
import createDebug from 'debug';
import type { ExecResult, ExecTarget, Executor, IpBatchOptions, IpCommand, RunOptions } from './executor.js';
import { IpChannel } from './ip-channel.js';
import { monitorCommand } from './monitor.js';
import { namesNamespace, spawnBatch } from './ip-batch.js';
import { NftChannel } from './nft-channel.js';
import { spawnOnce } from './spawn-once.js';

const debug = createDebug('ctrnet:core:coprocess-executor');

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

  constructor(options: CoprocessExecutorOptions = {}) {
    this.hostPrefix = netnsPrefix(options.hostNetns);
    this.ipChannel = new IpChannel({ prefix: this.hostPrefix });
    this.nftChannel = new NftChannel({ prefix: this.hostPrefix });
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    return spawnOnce([...this.prefix(options), ...argv], options.input);
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

  /** Lets requests in progress finish, then stops both coprocesses (by the PIDs this executor started). */
  async close(): Promise<void> {
    await Promise.all([this.ipChannel.close(), this.nftChannel.close()]);
  }

  private prefix(target: ExecTarget): readonly string[] {
    return target.netns ? netnsPrefix(target.netns) : this.hostPrefix;
  }
}

/** Enter a network namespace without a shell or a private mount namespace. */
function netnsPrefix(netns: string | undefined): readonly string[] {
  return netns ? ['nsenter', `--net=${netns}`, '--'] : [];
}
