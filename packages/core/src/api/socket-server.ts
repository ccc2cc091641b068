/**
 * Serving on a unix socket only root may reach: ctrnetd's API, the CNI
 * forwarder and the Docker plugin socket all listen the same way.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { dirname } from 'node:path';
import { CtrnetError } from '../errors.js';

/** Whether a server accepts connections at `socketPath`, as opposed to a file a killed one left behind. */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export interface PrivateSocketOptions {
  /** When given, a server already answering at the path is refused with CONFLICT and this message. */
  conflict?: string;
  /** The socket's mode once listening; default 0600. */
  mode?: number;
}

/**
 * Run `listen` (which binds `socketPath`) so the socket is never reachable
 * by others, not even for a moment: its directory made, a stale socket file
 * replaced, the bind done under umask 0177, then the final mode set.
 */
export async function listenPrivately(socketPath: string, listen: () => Promise<unknown>, options: PrivateSocketOptions = {}): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
  if (options.conflict !== undefined && (await socketAnswers(socketPath))) throw new CtrnetError('CONFLICT', options.conflict);
  rmSync(socketPath, { force: true });
  const oldMask = process.umask(0o177);
  try {
    await listen();
  } finally {
    process.umask(oldMask);
  }
  chmodSync(socketPath, options.mode ?? 0o600);
}

/** `server.listen(socketPath)` as a promise: resolved once listening, rejected with the bind's error. */
export function listening(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
