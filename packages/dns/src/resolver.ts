import createDebug from 'debug';
import { CtrnetError, invalidArgument } from '@ctrnet/core';
import { DNS_PORT, formatServer, isUnspecified, requireIp, type ServerAddress } from './addresses.js';
import { answerQuery, type QueryContext } from './answer.js';
import { bindWithRetry, DEFAULT_BIND_RETRY, type BindRetry } from './bind.js';
import { DEFAULT_FORWARDER_OPTIONS, Forwarder, type ForwarderOptions } from './forwarder.js';
import { RecordIndex } from './records.js';
import { ReplyCache } from './reply-cache.js';
import { DEFAULT_TCP_LIMITS, openTcp, type TcpLimits } from './tcp-server.js';
import { openUdp, type Listener } from './udp-server.js';
import type { DnsView } from './view.js';

const debug = createDebug('ctrnet:dns:resolver');

/** Options of a {@link DnsResolver}; every one has a default. */
export interface DnsResolverOptions {
  /**
   * The port to answer on at every address, UDP and TCP. Default 53. When a
   * host DNS server holds 53 (dnsmasq, bind), pick another port and DNAT
   * `gateway:53 → gateway:PORT`. 0 lets the kernel pick a free port at the
   * first listen; every later address then uses that same port ({@link DnsResolver.port}).
   */
  port?: number;
  /** Forwarding limits (Docker's: 4 s per query across servers, 1024 in flight). */
  forwarder?: Partial<ForwarderOptions>;
  /** TCP connection limits. */
  tcp?: Partial<TcpLimits>;
  /** How long to retry a listen address that is not assignable yet (EADDRNOTAVAIL). Default 3 s every 100 ms. */
  bindRetry?: Partial<BindRetry>;
}

/** Kernel-picked ports for UDP and TCP must agree; a clash on the TCP side is retried this often. */
const EPHEMERAL_PORT_ATTEMPTS = 5;

/**
 * The embedded DNS resolver, aardvark-dns style: one object in a resident
 * process answering on every network's gateway addresses in that process's
 * network namespace. A query's listen address names the network and its
 * source address the container; the container sees the names of the
 * networks it is on, and everything else is forwarded upstream (except from
 * internal-only containers).
 */
export class DnsResolver {
  /** The records and the replies cached for them, swapped together so a cache never outlives its view. */
  private records: { index: RecordIndex; cache: ReplyCache };
  private readonly listeners = new Map<string, Promise<Listener[]>>();
  private readonly forwarder: Forwarder;
  private readonly tcpLimits: TcpLimits;
  private readonly bindRetry: BindRetry;
  private boundPort: number | undefined;

  /** Starts with `view` (an empty one if omitted) and no sockets; call {@link listen}. */
  constructor(view: DnsView = { networks: [], upstream: [] }, options: DnsResolverOptions = {}) {
    const port = options.port ?? DNS_PORT;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidArgument(`DNS resolver port ${port} is not 0-65535; give a port number`);
    this.boundPort = port === 0 ? undefined : port;
    this.records = { index: RecordIndex.build(view), cache: new ReplyCache() };
    this.forwarder = new Forwarder({ ...DEFAULT_FORWARDER_OPTIONS, ...options.forwarder });
    this.tcpLimits = { ...DEFAULT_TCP_LIMITS, ...options.tcp };
    this.bindRetry = { ...DEFAULT_BIND_RETRY, ...options.bindRetry };
  }

  /**
   * The port every listener uses: the configured one, or the kernel's pick
   * once the first listen with port 0 succeeded (undefined before that).
   * The caller needs it for the DNAT when it is not 53.
   */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** The addresses being listened on (or being bound right now). */
  get addresses(): string[] {
    return [...this.listeners.keys()];
  }

  /**
   * Replaces the records. The next query sees the new view; queries being
   * forwarded finish with the scope they started with. A bad view is an
   * error and the old one stays.
   */
  update(view: DnsView): void {
    this.records = { index: RecordIndex.build(view), cache: new ReplyCache() };
  }

  /**
   * Starts answering on each address (UDP and TCP, {@link port}). Already
   * listening addresses are left alone. Addresses that cannot be assigned
   * yet are retried briefly. Each address stands alone: if some fail, the
   * others stay bound and the error names the failures.
   */
  async listen(addresses: readonly string[]): Promise<void> {
    const wanted = addresses.map((text) => this.listenAddress(text));
    const results = await Promise.allSettled(wanted.map((address) => this.listenOne(address)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new CtrnetError('INVALID_STATE', `DNS resolver could not listen on ${failures.length} addresses: ${failures.map((e) => e.message).join('; ')}`, {
        cause: failures[0],
      });
    }
  }

  /** Stops answering on each address; unknown addresses are ignored. */
  async unlisten(addresses: readonly string[]): Promise<void> {
    await Promise.all(addresses.map((text) => this.unlistenOne(requireIp(text, 'DNS listen address'))));
  }

  /** Closes every socket. Forwarded queries still in flight finish, but their replies have nowhere to go. */
  async close(): Promise<void> {
    await this.unlisten(this.addresses);
  }

  private listenAddress(text: string): string {
    const address = requireIp(text, 'DNS listen address');
    if (isUnspecified(address)) throw invalidArgument(`DNS listen address ${address} is a wildcard; give each gateway address, which is how queries are mapped to networks`);
    return address;
  }

  private listenOne(address: string): Promise<void> {
    let opening = this.listeners.get(address);
    if (!opening) {
      opening = this.open(address);
      this.listeners.set(address, opening);
      // A failed address is forgotten so a later listen can try again.
      opening.catch(() => {
        if (this.listeners.get(address) === opening) this.listeners.delete(address);
      });
    }
    return opening.then(() => undefined);
  }

  private async unlistenOne(address: string): Promise<void> {
    const opening = this.listeners.get(address);
    if (!opening) return;
    this.listeners.delete(address);
    const sockets = await opening.catch(() => []);
    await Promise.all(sockets.map((s) => s.close()));
    debug('stopped listening on %s', address);
  }

  private async open(address: string): Promise<Listener[]> {
    const handler = this.handle.bind(this);
    const attempts = this.boundPort === undefined ? EPHEMERAL_PORT_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const port = this.boundPort ?? 0;
      const udp = await bindWithRetry('udp', address, port, () => openUdp(address, port, handler), this.bindRetry);
      try {
        const tcp = await bindWithRetry('tcp', address, udp.port, () => openTcp(address, udp.port, handler, this.tcpLimits), this.bindRetry);
        // Another address may have fixed the port meanwhile; the first to finish wins.
        if (this.boundPort !== undefined && this.boundPort !== udp.port) {
          await Promise.all([udp.close(), tcp.close()]);
          continue;
        }
        this.boundPort = udp.port;
        return [udp, tcp];
      } catch (err) {
        await udp.close();
        const clash = err instanceof CtrnetError && err.code === 'CONFLICT';
        if (!clash || port !== 0 || attempt >= attempts) throw err;
      }
    }
  }

  /** One message from any listener: answer it, forward it, or drop it. */
  private handle(message: Buffer, ctx: QueryContext, respond: (reply: Buffer | undefined) => void): void {
    const { index, cache } = this.records;
    const cached = cache.get(message, ctx);
    if (cached) return respond(cached);
    const outcome = answerQuery(message, ctx, index);
    if (outcome.kind === 'reply') {
      if (outcome.cacheable) cache.set(message, ctx, outcome.reply);
      return respond(outcome.reply);
    }
    if (outcome.kind === 'drop') {
      debug('dropped a message from %s: %s', ctx.source, outcome.reason);
      return respond(undefined);
    }
    const servers = outcome.servers.filter((s) => !this.isSelf(s));
    if (servers.length === 0) return respond(outcome.failure());
    this.forwarder.forward(message, servers, ctx.transport).then(
      (reply) => respond(reply ?? outcome.failure()),
      (err: Error) => {
        debug('forwarding failed: %s', err.message);
        respond(outcome.failure());
      },
    );
  }

  /** Never forward to ourselves (Docker's filterExtServers): that would loop until the budget runs out. */
  private isSelf(server: ServerAddress): boolean {
    const self = server.port === this.boundPort && this.listeners.has(server.address);
    if (self) debug('not forwarding to own address %s', formatServer(server));
    return self;
  }
}
