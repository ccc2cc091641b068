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
