import dgram from 'node:dgram';
import createDebug from 'debug';
import { formatServer, ipFamily } from './addresses.js';
import type { QueryContext } from './answer.js';

const debug = createDebug('ctrnet:dns:udp');

/**
 * Handles one query. `respond` must be called exactly once: with the reply,
 * or with undefined to send nothing (over TCP that closes the connection).
 */
export type QueryHandler = (message: Buffer, ctx: QueryContext, respond: (reply: Buffer | undefined) => void) => void;

/** An open socket; {@link close} is idempotent. */
export interface Listener {
  /** The port actually bound (the one asked for, or the kernel's pick for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Binds a UDP socket to exactly `address:port`. One socket per address is
 * what tells the resolver which network a datagram is for, since Node
 * exposes no IP_PKTINFO on a wildcard socket.
 */
export function openUdp(address: string, port: number, handler: QueryHandler): Promise<Listener> {
  return new Promise((resolve, reject) => {
    // exclusive: never share the port with a cluster sibling; no SO_REUSEADDR,
    // so a host DNS server already on the port is an error, not a silent split.
    const socket = dgram.createSocket({ type: ipFamily(address) === 6 ? 'udp6' : 'udp4' });
    const onBindError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onBindError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onBindError);
      socket.on('error', (err) => debug('udp %s: %s', address, err.message));
      const bound = socket.address().port;
      debug('listening on udp %s', formatServer({ address, port: bound }));
      socket.on('message', (message, peer) => {
        const ctx: QueryContext = { listen: address, source: peer.address, transport: 'udp' };
        handler(message, ctx, (reply) => {
          // No callback: a failed send surfaces on the 'error' listener, and the hot path saves a closure.
          if (reply) socket.send(reply, peer.port, peer.address);
        });
      });
      resolve({ port: bound, close: () => closeUdp(socket) });
    });
  });
}

function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to do.
      resolve();
    }
  });
}
