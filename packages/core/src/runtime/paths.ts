import { join } from 'node:path';
import { KERNEL_NAMES } from '../names.js';

/** Folder of one container's files (hosts, resolv.conf, log, pid file). */
export function containerDir(stateDir: string, id: string): string {
  return join(stateDir, 'containers', id);
}

/** Name of a container's own network namespace under /run/netns. */
export function netnsName(containerId: string): string {
  return `${KERNEL_NAMES.netnsPrefix}${containerId.slice(0, 12)}`;
}

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}
