/**
 * ctrnetd inside a fence, for adapter tests: the engine (Podman, dockerd,
 * runc) and ctrnet then share one mount namespace, so the paths each hands
 * the other (a netns under the fence's /run, a plugin socket in
 * /run/docker/plugins) mean the same to both. The test talks to it with
 * the daemon's own client over its socket in the fence's temp dir.
 */
import { join } from 'node:path';
import createDebug from 'debug';
import { configFingerprint, daemonSocketPath } from '@ctrnet/core/api';
import { HttpApi, DaemonUnavailable } from '@ctrnet/client';
import { ctrnetBinPath } from '../cli.js';
import type { SpawnedProcess } from '../process.js';
import type { Fence } from './fence.js';
import { waitUntil } from './waiting.js';

const debug = createDebug('ctrnet:testkit:engines:ctrnetd');

const READY_TIMEOUT_MS = 30_000;

export interface CtrnetdOptions {
  /** The installation's state dir (default `<fence dir>/ctrnet`). */
  stateDir?: string;
  /** A config file for it (`--config`). */
  config?: string;
}

/** A ctrnetd in a fence. */
export interface FencedCtrnetd {
  stateDir: string;
  /** The runtime API of the current daemon process (the same client `ctrnet` uses). */
  readonly api: HttpApi;
  /** PID of the current daemon process. */
  pid(): number;
  /** Everything the current daemon process logged. */
  output(): string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Start it again (after `kill` or `stop`), waiting until it answers. */
  start(): Promise<void>;
  /** SIGTERM and wait; also done at fence teardown. */
  stop(): Promise<void>;
}

export async function startCtrnetd(fence: Fence, opts: CtrnetdOptions = {}): Promise<FencedCtrnetd> {
  const stateDir = opts.stateDir ?? fence.path('ctrnet');
  const socket = daemonSocketPath(stateDir);
  const fingerprint = configFingerprint({ configPath: opts.config, stateDir, env: {} });
  // A client that lost its daemon stays lost (it reports that, rather than falling back): a new one per daemon process.
  let api = new HttpApi(socket, fingerprint);
  const daemonBin = join(ctrnetBinPath(), '..', 'ctrnetd.js');
  let proc: SpawnedProcess | undefined;
  const start = async (): Promise<void> => {
    const argv = [process.execPath, daemonBin, '--state-dir', stateDir, ...(opts.config ? ['--config', opts.config] : [])];
    const current = fence.spawn(argv);
    proc = current;
    await api.close();
    api = new HttpApi(socket, fingerprint);
    const answers = async (): Promise<boolean> => {
      const probe = new HttpApi(socket, fingerprint);
      try {
        await probe.ping();
        return true;
      } catch (err) {
        if (err instanceof DaemonUnavailable) return false;
        throw err;
      } finally {
        await probe.close();
      }
    };
    await waitUntil(answers, {
      timeoutMs: READY_TIMEOUT_MS,
      process: current,
      what: `ctrnetd (pid ${current.pid}) answering on ${socket}`,
    });
    debug('ctrnetd pid %d serving %s', current.pid, stateDir);
  };
  await start();
  return {
    stateDir,
    get api() {
      return api;
    },
    pid: () => proc!.pid,
    output: () => proc?.output() ?? '',
    kill: async () => {
      process.kill(proc!.pid, 'SIGKILL');
      await waitUntil(() => proc!.exited(), { timeoutMs: 10_000, what: `ctrnetd pid ${proc!.pid} to die` });
    },
    start,
    stop: async () => proc?.stop(15_000),
  };
}
