import dgram from 'node:dgram';
import net from 'node:net';
import createDebug from 'debug';
import { formatServer, type ServerAddress } from './addresses.js';
import { HEADER_BYTES, RCODE, isResponse, peekHeader, rcodeOf } from './packet.js';

const debug = createDebug('ctrnet:dns:forwarder');

/** Limits of the forwarder; the defaults are Docker's. */
export interface ForwarderOptions {
  /** Time for one query across all servers tried, in ms (Docker: extIOTimeout, 4 s). */
  timeoutMs: number;
  /** Forwarded queries in flight at once; one more is refused at once (Docker: maxConcurrent, 1024). */
  maxInFlight: number;
}

export const DEFAULT_FORWARDER_OPTIONS: ForwarderOptions = { timeoutMs: 4000, maxInFlight: 1024 };

/**
 * Sends queries the resolver does not own to upstream servers, from this
 * process's network namespace, and hands back their reply bytes unchanged:
 * same id, same flags, a TC bit included, so a client told to retry over TCP
 * does. A UDP query goes upstream over UDP, a TCP query over TCP.
 */
export class Forwarder {
  private inFlight = 0;

  constructor(private readonly options: ForwarderOptions) {}

  /** Queries forwarded and not yet finished. */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Tries `servers` in order within one time budget, each getting an equal
   * share of what is left, so a dead first server does not eat all of it.
   * SERVFAIL and REFUSED move on to the next server (Docker does the same).
   * Resolves to the reply, or undefined when none came or too many queries
   * are in flight; the caller then answers SERVFAIL.
   */
  async forward(query: Buffer, servers: readonly ServerAddress[], transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    if (this.inFlight >= this.options.maxInFlight) {
      debug('refusing: %d queries in flight', this.inFlight);
      return undefined;
    }
    this.inFlight++;
    try {
      const deadline = Date.now() + this.options.timeoutMs;
      for (let i = 0; i < servers.length; i++) {
        const budget = Math.floor((deadline - Date.now()) / (servers.length - i));
        if (budget <= 0) break;
        const server = servers[i]!;
        const reply = transport === 'udp' ? await udpExchange(server, query, budget) : await tcpExchange(server, query, budget);
        if (!reply) continue;
        const rcode = rcodeOf(reply);
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) {
          debug('%s answered rcode %d; trying the next server', formatServer(server), rcode);
          continue;
        }
        return reply;
      }
      return undefined;
    } finally {
      this.inFlight--;
    }
  }
}

/** A reply belongs to a query when it is a response with the query's id (the check miekg/dns makes). */
function answersQuery(query: Buffer, reply: Buffer): boolean {
  const header = peekHeader(reply);
  return header !== undefined && isResponse(header) && header.id === query.readUInt16BE(0);
}

/**
 * One query over a fresh connected UDP socket: a random source port per
 * query, and the kernel drops datagrams from anyone but the server.
 */
function udpExchange(server: ServerAddress, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(server.family === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (reply: Buffer | undefined, why?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (why) debug('udp %s: %s', formatServer(server), why);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined, `no reply in ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (err) => finish(undefined, err.message));
    socket.on('message', (reply) => {
      if (answersQuery(query, reply)) finish(reply);
    });
    socket.connect(server.port, server.address, () => {
      // The socket may have failed (no route to the server) or timed out meanwhile: then it is not connected,
      // and send() would read the callback as a port and throw.
      if (done) return;
      try {
        socket.send(query, (err) => {
          if (err) finish(undefined, err.message);
        });
      } catch (err) {
        finish(undefined, (err as Error).message);
      }
    });
  });
}

/** One query over a fresh TCP connection, 2-byte length framing both ways (RFC 1035 4.2.2). */
function tcpExchange(server: ServerAddress, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: server.address, port: server.port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (reply: Buffer | undefined, why?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (why) debug('tcp %s: %s', formatServer(server), why);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined, `no reply in ${timeoutMs} ms`), timeoutMs);
    socket.on('error', (err) => finish(undefined, err.message));
    socket.on('close', () => finish(undefined, 'closed before a full reply'));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      // Bounded: at most 2 + 65,535 bytes are kept before we finish.
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length < 2 + size) return;
      const reply = received.subarray(2, 2 + size);
      if (size < HEADER_BYTES || !answersQuery(query, reply)) finish(undefined, 'reply does not match the query');
      else finish(Buffer.from(reply));
    });
  });
}
