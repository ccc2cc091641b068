/**
 * ctrnetd's resident part of the overlay: watch etcd so that, between
 * commands, this host learns of networks created or removed elsewhere and of
 * hosts joining or leaving each network (their tunnel endpoints), and
 * programs the kernel at once. On every (re)connection it reads everything
 * afresh, so what happened while etcd was unreachable is caught up; while
 * etcd is down the kernel keeps its entries and traffic keeps flowing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Network, PluginService, ServiceContext } from '@ctrnet/core';
import type { HostSession, WatchEvent } from '@ctrnet/ipam-etcd';
import { NETWORKS, OVERLAY, VTEPS } from './cluster-store.js';
import type { RemoteSide } from './commands.js';
import type { OverlayDriver } from './overlay-driver.js';
import { addRemote, removeRemote, syncRemotes } from './remote-hosts.js';

/** Pause before reconnecting to an etcd that went away. */
const RECONNECT_MS = 1000;

export class OverlayWatcher implements PluginService {
  readonly name = 'overlay-watch';
  private stopped = true;
  private close: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly driver: OverlayDriver,
    private readonly session: () => HostSession | undefined,
  ) {}

  async start(ctx: ServiceContext): Promise<void> {
    const session = this.session();
    if (!session) return;
    this.stopped = false;
    this.loop = this.run(ctx, session);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.close?.();
    await this.loop;
  }

  private async run(ctx: ServiceContext, session: HostSession): Promise<void> {
    while (!this.stopped) {
      try {
        const revision = await this.resync(ctx, session);
        let queue = Promise.resolve();
        const watch = session.etcd.watch(OVERLAY, revision + 1, (events) => {
          queue = queue.then(() => this.apply(ctx, session, events)).catch((err: Error) => ctx.log('applying watch events: %s', err.message));
        });
        this.close = () => watch.close();
        await watch.ended;
        await queue;
        if (!this.stopped) ctx.log('watch of %s ended; reconnecting', OVERLAY);
      } catch (err) {
        ctx.log('overlay resync: %s', (err as Error).message);
      }
      if (!this.stopped) await sleep(RECONNECT_MS);
    }
  }

  /** Import/forget networks, then program every network's remote hosts. Returns the revision read. */
  private async resync(ctx: ServiceContext, session: HostSession): Promise<number> {
    await ctx.syncNetworks();
    const { revision } = await session.etcd.range(NETWORKS);
    for (const network of this.localNetworks(ctx)) {
      await syncRemotes(ctx.exec, network.driverData.bridge!, network.driverData.vxlan!, await this.driver.remotes(session, network)).catch((err: Error) =>
        ctx.log('network %s: %s', network.name, err.message),
      );
    }
    return revision;
  }

  private async apply(ctx: ServiceContext, session: HostSession, events: WatchEvent[]): Promise<void> {
    if (events.some((e) => e.kv.key.startsWith(NETWORKS))) await ctx.syncNetworks();
    for (const event of events) {
      if (!event.kv.key.startsWith(VTEPS)) continue;
      const [networkId, host] = event.kv.key.slice(VTEPS.length).split('/');
      if (host === session.host) continue;
      const network = this.localNetworks(ctx).find((n) => n.id === networkId);
      if (!network) continue;
      const { bridge, vxlan } = network.driverData as { bridge: string; vxlan: string };
      if (event.type === 'PUT') await addRemote(ctx.exec, bridge, vxlan, JSON.parse(event.kv.value) as RemoteSide);
      else if (event.prev) await removeRemote(ctx.exec, bridge, vxlan, JSON.parse(event.prev.value) as RemoteSide);
      ctx.log('network %s: host %s %s', network.name, host, event.type === 'PUT' ? 'joined' : 'left');
    }
  }

  private localNetworks(ctx: ServiceContext): Network[] {
    return ctx.networks().filter((n) => n.driver === this.driver.name && n.pool);
  }
}
