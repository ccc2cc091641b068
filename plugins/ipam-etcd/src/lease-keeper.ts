/**
 * ctrnetd's resident part of the cluster session: renew the host's lease
 * every third of its TTL; when etcd had to grant a new one (the old one
 * expired while this host was cut off), have every driver re-claim what the
 * host uses (`system gc`); and sweep this host's keys of networks it no
 * longer holds (releases that found etcd down). A key is swept only when a
 * later round still finds it stray and unchanged, so a network being
 * imported right now keeps its fresh slice.
 */
import type { PluginService, ServiceContext } from '@ctrnet/core';
import { deleteStray, strayKeys } from './cluster-view.js';
import type { HostSession } from './host-session.js';
import { ETCD_IPAM } from './etcd-ipam.js';

/** Retry pause while etcd does not answer. */
const RETRY_MS = 1000;
/** How long a key must stay stray before it is swept. */
const SWEEP_AFTER_MS = 10_000;

export class LeaseKeeper implements PluginService {
  readonly name = 'cluster-lease';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Stray keys seen in an earlier round: key → [mod revision, first seen]. */
  private candidates = new Map<string, [number, number]>();

  constructor(private readonly session: () => HostSession | undefined) {}

  async start(ctx: ServiceContext): Promise<void> {
    const session = this.session();
    if (!session) return;
    this.stopped = false;
    const period = (session.cluster.leaseTtlSeconds * 1000) / 3;
    const tick = async () => {
      let next = period;
      try {
        if (await session.renew()) {
          ctx.log('lease of host %s expired; re-claiming', session.host);
          await ctx.reconcile();
        }
        await this.sweep(ctx, session);
      } catch (err) {
        ctx.log('renewing the lease of host %s: %s', session.host, (err as Error).message);
        next = Math.min(period, RETRY_MS);
      }
      if (!this.stopped) this.timer = setTimeout(tick, next);
    };
    await tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async sweep(ctx: ServiceContext, session: HostSession): Promise<void> {
    const local = new Set(ctx.networks().filter((n) => n.ipamDriver === ETCD_IPAM).map((n) => n.id));
    const now = Date.now();
    const stray = await strayKeys(session, local);
    const due = new Map<string, number>();
    const next = new Map<string, [number, number]>();
    for (const [key, revision] of stray) {
      const seen = this.candidates.get(key);
      const since = seen && seen[0] === revision ? seen[1] : now;
      if (now - since >= SWEEP_AFTER_MS) due.set(key, revision);
      else next.set(key, [revision, since]);
    }
    this.candidates = next;
    if (due.size) {
      await deleteStray(session, due);
      ctx.log('swept %d stray key(s) of host %s', due.size, session.host);
    }
  }
}
