import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CONTAINER_NETNS_PREFIX } from '../names.js';

/** Folder of one container's files (hosts, resolv.conf, log, pid file). */
export function containerDir(stateDir: string, id: string): string {
  return join(stateDir, 'containers', id);
}

/** Name of a container's own network namespace under /run/netns. */
export function netnsName(containerId: string): string {
  return `${CONTAINER_NETNS_PREFIX}${containerId.slice(0, 12)}`;
}

/** Where iproute2 keeps named network namespaces (bind mounts). */
export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** The kernel's limit on a unix socket path (sun_path), less the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/**
 * The socket of a container's terminal holder. Kept short: a container's
 * folder (64 hex chars deep) would pass the unix socket path limit, so it
 * is `STATE_DIR/tty/<12 hex>`, or under /run/ctrnet for a state dir too
 * deep even for that.
 */
export function attachSocketPath(stateDir: string, containerId: string): string {
  const path = join(stateDir, 'tty', containerId.slice(0, 12));
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return path;
  return join('/run/ctrnet/tty', `${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}-${containerId.slice(0, 12)}`);
}
