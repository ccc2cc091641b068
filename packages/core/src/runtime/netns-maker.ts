import { existsSync, writeFileSync } from 'node:fs';
import createDebug from 'debug';
import type { SpareNetns } from '../exec/executor.js';
import type { RuntimeContext } from './context.js';
import { NETNS_DIR, netnsPath } from './paths.js';

const debug = createDebug('ctrnet:core:netns-maker');

/**
 * Makes containers' network namespaces: when a container starts or, in a
 * process whose executor keeps set-up sessions (ctrnetd), ahead of time: a
 * pool of `config.netnsPool` spare namespaces with loopback up and their
 * session open, refilled in the background, so `run` neither creates a
 * namespace nor spawns anything to configure it; it only pins a spare
 * under the container's name.
 *
 * A spare is not pinned: only its session's processes keep it, and they
 * exit with the daemon (at the EOF of their stdin). So the pool needs no
 * journal: a killed daemon's spares end with it, leaving nothing for gc.
 */
export class NetnsMaker {
  /** Ready spares, oldest first. */
  private readonly spares: SpareNetns[] = [];
  private filling: Promise<void> | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly ctx: RuntimeContext) {}

  /** Makes the namespace /run/netns/NAME with loopback up: a spare pinned there, or one made now. */
  async create(name: string): Promise<void> {
    const path = netnsPath(name);
    for (let spare = this.spares.shift(); spare; spare = this.spares.shift()) {
      try {
        await spare.pin(path);
        return;
      } catch (err) {
        // Its holder died (killed): take the next, or make one.
        debug('could not pin a spare at %s: %O', path, err);
      }
    }
    await this.make(name);
  }

  /**
   * The set-up inside `path` is over: the executor's session there ends, so
   * nothing holds the namespace but its pin and the container. Not awaited:
   * its processes exit at the EOF of their stdin, and nothing needs them gone
   * first. The refill starts on the next turn of the event loop: a spawn
   * blocks the loop for 3–4 ms (fork of a large process), which must not
   * land in the middle of a container's network set-up.
   */
  endSetup(path: string): void {
    this.ctx.exec.closeNetns?.(path).catch((err: unknown) => debug('closing the session of %s: %O', path, err));
    setImmediate(() => this.refill());
  }

  /** Starts filling the pool (ctrnetd does, once it serves); a no-op without a pool size or set-up sessions. */
  start(): void {
    this.started = true;
    this.refill();
  }

  /** Stops refilling and discards the spares no container took. */
  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    await Promise.all(this.spares.splice(0).map((spare) => spare.discard()));
  }

  private get poolSize(): number {
    return this.started && this.ctx.exec.spareNetns ? this.ctx.config.netnsPool : 0;
  }

  /** One spare at a time, in the background, until the pool is full; a failure leaves it short until the next set-up. */
  private refill(): void {
    const spareNetns = this.ctx.exec.spareNetns?.bind(this.ctx.exec);
    if (!spareNetns || this.filling || this.closed || this.spares.length >= this.poolSize) return;
    this.filling = (async () => {
      while (!this.closed && this.spares.length < this.poolSize) this.spares.push(await spareNetns());
    })()
      .catch((err: unknown) => debug('could not make a spare namespace: %O', err))
      .finally(() => (this.filling = undefined));
  }

  /**
   * A persistent namespace at /run/netns/NAME with loopback up (containers expect
   * 127.0.0.1 to work): a fresh spare pinned there when the executor keeps
   * sessions; else `unshare --net=FILE`, which creates, pins and configures
   * it in one process where `ip netns add` + `ip -n` takes two. The first
   * namespace on a machine goes through `ip netns add`, which also sets up
   * /run/netns as a shared mount point.
   */
  private async make(name: string): Promise<void> {
    const path = netnsPath(name);
    if (this.ctx.exec.spareNetns) {
      const spare = await this.ctx.exec.spareNetns();
      return spare.pin(path);
    }
    if (!existsSync(NETNS_DIR)) {
      await this.ctx.exec.ip([['netns', 'add', name]]);
      await this.ctx.exec.ip([['link', 'set', 'lo', 'up']], { netns: path });
      return;
    }
    writeFileSync(path, '', { flag: 'wx', mode: 0o444 });
    await this.ctx.exec.run(['unshare', `--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  }
}
