import { CtrnetError, type ConfigInputs, type CtrnetApi } from '@ctrnet/core/api';
import { DaemonUnavailable, HttpApi } from './http-api.js';
import { locateDaemon } from './locate.js';

/**
 * The runtime API for a state dir, as every front-end gets it: ctrnetd's
 * when one serves these inputs (config `daemon`: auto, the default), else
 * `inProcess()`, which a front-end imports lazily (it loads SQLite and the
 * plugins, which the thin path must not pay for). With `daemon: required`
 * and no daemon answering: DAEMON_UNAVAILABLE.
 */
export async function openApi(inputs: ConfigInputs, inProcess: () => Promise<CtrnetApi>): Promise<CtrnetApi> {
  const where = locateDaemon(inputs);
  if (where.mode === 'never') return inProcess();
  const remote = new HttpApi(where.socketPath, where.fingerprint);
  try {
    await remote.ping();
    return remote;
  } catch (err) {
    await remote.close();
    if (!(err instanceof DaemonUnavailable)) throw err;
    if (where.mode === 'required') throw new CtrnetError('DAEMON_UNAVAILABLE', `${err.message}; start it with: ctrnet daemon start (daemon "required" is set by ${where.modeSource})`);
    return inProcess();
  }
}
