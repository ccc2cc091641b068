/**
 * ctrnetd's resident part of the cluster session: renew the host's lease
 * every third of its TTL, and when etcd had to grant a new one (the old one
 * expired while this host was cut off), have every driver re-claim what the
 * host uses (`system gc`).
 */
import type { PluginService, ServiceContext } from '@ctrnet/core';
import type { HostSession } from './host-session.js';

/** Retry pause while etcd does not answer. */
const RETRY_MS = 1000;

export class LeaseKeeper implements PluginService {
  readonly name = 'cluster-lease';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

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
}
