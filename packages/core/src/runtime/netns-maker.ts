import { existsSync, writeFileSync } from 'node:fs';
import createDebug from 'debug';
import type { SagaJournal } from '../saga.js';
import type { OpenOperation } from '../store/operation-journal.js';
import type { RuntimeContext } from './context.js';
import { newId } from './ids.js';
import { NETNS_DIR, netnsName, netnsPath } from './paths.js';

const debug = createDebug('ctrnet:core:netns-maker');

/** Name of the journal operation that owns one ready pool namespace until a container takes it. */
const POOL_MEMBER = 'netns pool member';

/**
 * Makes containers' network namespaces: when a container starts or, in a
 * process whose executor keeps set-up sessions (ctrnetd), ahead of time: a
 * pool of `config.netnsPool` namespaces with loopback up and their session
 * open, refilled in the background, so `run` neither creates a namespace
 * nor spawns anything to configure it.
 *
 * Every pool member is an open journal operation of this process whose
 * undo deletes it: a daemon killed with members ready leaves nothing that
 * `system gc` does not delete. A container takes a member by journalling
 * the same undo in its own saga first; the member's operation closes
 * after. gc and reset skip the members of their own process's pool.
 */
export class NetnsMaker {
  /** Ready members, oldest first. */
  private readonly ready: string[] = [];
  private readonly journals = new Map<string, SagaJournal>();
  private filling: Promise<void> | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly ctx: RuntimeContext) {}

  /** The name the namespace of container `containerId` gets: a ready member's, or one of its own. */
  claim(containerId: string): string {
    return this.ready.shift() ?? netnsName(containerId);
  }

  /** Makes the namespace `claim` named exist; a pool member is handed over as it is (unless someone deleted it meanwhile). */
  async create(name: string): Promise<void> {
    const journal = this.journals.get(name);
    if (journal) {
      this.journals.delete(name);
      journal.close();
      if (existsSync(netnsPath(name))) return;
      // A `system reset` of another process deleted it: make it again.
      await this.ctx.exec.closeNetns?.(netnsPath(name));
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

  /** Whether `op` is a ready member of this process's pool (not a leftover for gc or reset). */
  holds(op: OpenOperation): boolean {
    return op.name === POOL_MEMBER && op.pid === process.pid && !this.closed;
  }

  /** Starts filling the pool (ctrnetd does, once it serves); a no-op without a pool size or set-up sessions. */
  start(): void {
    this.started = true;
    this.refill();
  }

  /** Stops refilling and deletes the members no container took. */
  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    for (const name of this.ready.splice(0)) {
      await this.ctx.exec.closeNetns?.(netnsPath(name));
      await this.ctx.exec.ip([['netns', 'delete', name]], { ignoreMissing: true });
      this.journals.get(name)?.close();
      this.journals.delete(name);
    }
  }

  private get poolSize(): number {
    return this.started && this.ctx.exec.openNetns ? this.ctx.config.netnsPool : 0;
  }

  /** One member at a time, in the background, until the pool is full; a failure leaves it short until the next claim. */
  private refill(): void {
    if (this.filling || this.closed || this.ready.length >= this.poolSize) return;
    this.filling = (async () => {
      while (!this.closed && this.ready.length < this.poolSize) {
        const name = netnsName(newId());
        const journal = this.ctx.store.operations.begin(POOL_MEMBER);
        journal.record({ kind: 'netns.delete', data: { name } });
        try {
          await this.make(name);
        } catch (err) {
          debug('could not make pool member %s: %O', name, err);
          await this.ctx.exec.ip([['netns', 'delete', name]], { ignoreMissing: true }).then(() => journal.close(), () => undefined);
          return;
        }
        this.journals.set(name, journal);
        this.ready.push(name);
      }
    })().finally(() => (this.filling = undefined));
  }

  /**
   * A persistent namespace at /run/netns/NAME with loopback up (containers
   * expect 127.0.0.1 to work): through the executor's session when it keeps
   * them; else `unshare --net=FILE`, which creates, pins and configures it
   * in one process where `ip netns add` + `ip -n` takes two. The first
   * namespace on a machine goes through `ip netns add`, which also sets up
   * /run/netns as a shared mount point.
   */
  private async make(name: string): Promise<void> {
    const path = netnsPath(name);
    if (this.ctx.exec.openNetns) return this.ctx.exec.openNetns(path);
    if (!existsSync(NETNS_DIR)) {
      await this.ctx.exec.ip([['netns', 'add', name]]);
      await this.ctx.exec.ip([['link', 'set', 'lo', 'up']], { netns: path });
      return;
    }
    writeFileSync(path, '', { flag: 'wx', mode: 0o444 });
    await this.ctx.exec.run(['unshare', `--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  }
}
