import { join, resolve } from 'node:path';
import { DEFAULT_STATE_DIR } from '../config-location.js';

/** Where the default installation's daemon listens (`/run`: gone after a reboot, like the daemon). */
export const DEFAULT_DAEMON_SOCKET = '/run/ctrnet/ctrnet.sock';

/**
 * The socket of the daemon serving a state dir: the well-known path for the
 * default state dir, else a socket inside the state dir, so two
 * installations never meet.
 */
export function daemonSocketPath(stateDir: string): string {
  return resolve(stateDir) === DEFAULT_STATE_DIR ? DEFAULT_DAEMON_SOCKET : join(resolve(stateDir), 'ctrnetd.sock');
}
