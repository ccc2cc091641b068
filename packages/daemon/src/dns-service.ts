/**
 * The embedded DNS resolver, run by ctrnetd: one @ctrnet/dns resolver
 * listening on every served network's gateway, its view rebuilt from the
 * runtime's name table whenever a container or network changes (the
 * daemon's own events at once; other processes' changes within a poll).
 *
 * Port 53 may be taken on a gateway (a host DNS server bound to 0.0.0.0:53):
 * such gateways get a second resolver on another port, and the firewall
 * redirects the network's gateway:53 there (NetworkRules.dnsRedirect).
 */
import createDebug from 'debug';
import { DnsResolver, type DnsView } from '@ctrnet/dns';
import { isCtrnetError, type NameTable, type Runtime } from '@ctrnet/core';

const debug = createDebug('ctrnet:daemon:dns');

/** How often the store is checked for changes made by other processes (an in-process command, gc). */
const POLL_MS = 250;

function toView(table: NameTable): DnsView {
  return {
    upstream: table.upstream,
    networks: table.networks.map((n) => ({ id: n.id, name: n.name, internal: n.internal, listen: n.listen, containers: n.containers })),
  };
}

export class DnsService {
  private readonly main = new DnsResolver(undefined, { port: 53 });
  private fallback: DnsResolver | undefined;
  /** Address → the resolver listening on it. */
  private readonly bound = new Map<string, DnsResolver>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void)[] = [];
  /** The sync running now (or settled): each waits for the one before. */
  private syncing: Promise<void> = Promise.resolve();
  /** The next sync's table, while one is queued. */
  private next: NameTable | undefined;
  private stopped = false;
  /** Addresses whose last bind failed (reported in the log already). */
  private readonly unbindable = new Set<string>();
  private lastVersion = -1;

  constructor(
    private readonly runtime: Runtime,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const bus = this.runtime.ctx.bus;
    for (const event of ['container.start', 'container.stop', 'container.remove', 'container.rename', 'endpoint.join', 'endpoint.leave', 'network.create', 'network.remove'] as const) {
      // The event comes after the store changed: the next query sees the change, the sockets follow.
      this.unsubscribe.push(bus.on(event, () => void this.refresh()));
    }
    await this.refresh();
    this.timer = setInterval(() => {
      const version = this.runtime.ctx.store.dataVersion();
      if (version !== this.lastVersion) void this.refresh();
    }, POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const off of this.unsubscribe) off();
    await this.syncing;
    await Promise.all([this.main.close(), this.fallback?.close()]);
    await this.runtime.system.setDnsRedirects({}).catch((err) => debug('clearing DNS redirects failed: %O', err));
  }

  /**
   * Answer from the store's current names at once, and make the listening
   * addresses match them. Syncs run one at a time, and a burst of changes
   * queues one sync with the latest table, not one per change.
   */
  refresh(): Promise<void> {
    const queued = this.next !== undefined;
    this.next = this.updateView();
    if (!queued) {
      this.syncing = this.syncing
        .then(() => {
          const next = this.next!;
          this.next = undefined;
          if (!this.stopped) return this.sync(next);
        })
        .catch((err) => debug('dns refresh failed: %O', err));
    }
    return this.syncing;
  }

  /** Answer from the store's current names. */
  private updateView(): NameTable {
    this.lastVersion = this.runtime.ctx.store.dataVersion();
    const table = this.runtime.system.nameTable();
    const view = toView(table);
    this.main.update(view);
    this.fallback?.update(view);
    return table;
  }

  private async sync(table: NameTable): Promise<void> {
    const view = toView(table);
    const wanted = new Map(table.networks.flatMap((n) => n.listen.map((a) => [a, n.id] as const)));
    for (const [address, resolver] of this.bound) {
      if (wanted.has(address)) continue;
      await resolver.unlisten([address]);
      this.bound.delete(address);
    }
    for (const address of wanted.keys()) {
      if (this.bound.has(address)) continue;
      // One address that cannot be bound does not keep the others unserved; the next sync tries it again.
      try {
        this.bound.set(address, await this.listen(address, view));
        this.unbindable.delete(address);
      } catch (err) {
        // Said once per address in the log, not at every change.
        if (!this.unbindable.has(address)) this.log(`DNS: not answering on ${address}: ${(err as Error).message}`);
        this.unbindable.add(address);
      }
    }
    const redirects: Record<string, number> = {};
    const port = this.fallback?.port;
    // The firewall redirects IPv4 only: a taken IPv6 port 53 leaves that network's containers their IPv4 resolver.
    for (const [address, networkId] of wanted) if (port && this.bound.get(address) === this.fallback && !address.includes(':')) redirects[networkId] = port;
    await this.runtime.system.setDnsRedirects(redirects);
  }

  /** Listen on port 53, or, when that is taken, on the fallback resolver's port. */
  private async listen(address: string, view: DnsView): Promise<DnsResolver> {
    try {
      await this.main.listen([address]);
      return this.main;
    } catch (err) {
      if (!isCtrnetError(err, 'CONFLICT')) throw err;
      this.fallback ??= new DnsResolver(view, { port: 0 });
      await this.fallback.listen([address]);
      this.log(`DNS: port 53 of ${address} is taken (another DNS server?); answering on port ${this.fallback.port}, gateway:53 redirected there`);
      return this.fallback;
    }
  }
}
