import net from 'node:net';
import createDebug from 'debug';
import { canonicalIp, formatServer } from './addresses.js';
import type { QueryContext } from './answer.js';
import { HEADER_BYTES } from './packet.js';
import type { Listener, QueryHandler } from './udp-server.js';

const debug = createDebug('ctrnet:dns:tcp');

/** Limits that keep a TCP client from holding memory or sockets. */
export interface TcpLimits {
  /** Connections open at once on one listener; more are closed on accept. */
  maxConnections: number;
  /** A connection that completes no query for this long is closed, in ms (a trickle of bytes does not count). */
  idleTimeoutMs: number;
  /** A framed query longer than this closes the connection; real queries are a few hundred bytes. */
  maxQueryBytes: number;
  /** Queries of one connection being answered at once; reading pauses beyond it. */
  maxPipelined: number;
  /** Reply bytes a client may leave unread before it is cut off. */
  maxUnreadBytes: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 128,
  idleTimeoutMs: 10_000,
  maxQueryBytes: 4096,
  maxPipelined: 16,
  maxUnreadBytes: 256 * 1024,
};

/**
 * A TCP listener on exactly `address:port`, RFC 1035 4.2.2 framing (a 2-byte
 * length before each message), pipelined queries answered as they finish.
 * Garbage (a length too short for a header or over the limit, a message
 * the handler drops) closes the connection.
 */
export function openTcp(address: string, port: number, handler: QueryHandler, limits: TcpLimits): Promise<Listener> {
  const connections = new Set<net.Socket>();
  // allowHalfOpen: a client may send its queries and FIN, then read the replies.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    if (connections.size >= limits.maxConnections) {
      debug('tcp %s: %d connections open; refusing %s', address, connections.size, socket.remoteAddress);
      socket.destroy();
      return;
    }
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveConnection(socket, address, handler, limits);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', (err) => debug('tcp %s: %s', address, err.message));
      const bound = (server.address() as net.AddressInfo).port;
      debug('listening on tcp %s', formatServer({ address, port: bound }));
      resolve({ port: bound, close: () => closeTcp(server, connections) });
    });
  });
}

function serveConnection(socket: net.Socket, address: string, handler: QueryHandler, limits: TcpLimits): void {
  const ctx: QueryContext = { listen: address, source: canonicalIp(socket.remoteAddress ?? '') ?? '', transport: 'tcp' };
  let buffered: Buffer = Buffer.alloc(0);
  let pending = 0;
  let ended = false;
  let idle = setTimeout(() => cut('idle'), limits.idleTimeoutMs);
  const cut = (why: string): void => {
    debug('tcp %s: closing connection from %s: %s', address, ctx.source, why);
    socket.destroy();
  };
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => cut('idle'), limits.idleTimeoutMs);
  };
  socket.on('error', (err) => debug('tcp %s: %s', address, err.message));
  socket.on('close', () => clearTimeout(idle));
  socket.on('end', () => {
    ended = true;
    if (pending === 0) socket.end();
  });
  socket.on('data', (chunk: Buffer) => {
    // Bounded: a length over maxQueryBytes cuts the connection, so at most
    // one frame plus one chunk is ever held.
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && !socket.destroyed) {
      const size = buffered.readUInt16BE(0);
      if (size < HEADER_BYTES || size > limits.maxQueryBytes) return cut(`framed length ${size}`);
      if (buffered.length < 2 + size) return;
      const message = Buffer.from(buffered.subarray(2, 2 + size));
      buffered = buffered.subarray(2 + size);
      touch();
      pending++;
      if (pending >= limits.maxPipelined) socket.pause();
      handler(message, ctx, (reply) => {
        pending--;
        if (socket.destroyed) return;
        if (!reply) return cut('not a query');
        const frame = Buffer.allocUnsafe(2 + reply.length);
        frame.writeUInt16BE(reply.length);
        reply.copy(frame, 2);
        socket.write(frame);
        touch();
        if (socket.writableLength > limits.maxUnreadBytes) return cut('client does not read its replies');
        if (ended && pending === 0) socket.end();
        else if (socket.isPaused() && pending < limits.maxPipelined) socket.resume();
      });
    }
  });
}

function closeTcp(server: net.Server, connections: Set<net.Socket>): Promise<void> {
  for (const socket of connections) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
