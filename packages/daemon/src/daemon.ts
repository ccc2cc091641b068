/**
 * ctrnetd's life: reconcile like `system gc`, listen on the socket (root
 * only), keep the firewall in place, and on SIGTERM finish the operations in
 * flight before it exits. A SIGKILL at any point leaves only what gc repairs:
 * every operation is journalled by the runtime, and the next start runs gc.
 */
import { chownSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import createDebug from 'debug';
import { CtrnetError, LocalApi, type CtrnetApi, type Runtime } from '@ctrnet/core';
import { listenPrivately, socketAnswers } from '@ctrnet/core/api';
import { DnsService } from './dns-service.js';
import { FirewallGuard } from './firewall-guard.js';
import { createServer } from './server.js';

const debug = createDebug('ctrnet:daemon:daemon');
/** A part of stopping that takes longer than this is named in the log. */
const SLOW_STOP_STEP_MS = 5_000;

export interface DaemonOptions {
  runtime: Runtime;
  socketPath: string;
  /** The config fingerprint clients must match (see core's configFingerprint). */
  fingerprint: string;
  /** Written with the daemon's PID while it serves; removed on a clean exit. */
  pidFile?: string;
  /** Between periodic firewall checks. */
  firewallCheckMs?: number;
  /** One line per notable thing (started, healed, stopping), for the log. */
  log?: (line: string) => void;
  /** More servers over the same API, started once the daemon serves and stopped first (the Docker plugin). */
  services?: DaemonService[];
}

/** A server ctrnetd runs beside its own socket, as a thin adapter over the runtime API. */
export interface DaemonService {
  name: string;
  start(api: CtrnetApi, log: (line: string) => void): Promise<{ stop(): Promise<void> }>;
}

/** A running daemon. */
export interface Daemon {
  /** Resolves once the daemon has stopped (after `stop()` or a signal). */
  readonly stopped: Promise<void>;
  /** Stop accepting, finish requests in flight, release everything. */
  stop(): Promise<void>;
}

/** Unix permission bits of the socket: root only, or root and the `ctrnet` group when that group exists. */
function socketAccess(): { mode: number; gid?: number } {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('ctrnet:'));
    const gid = line ? Number(line.split(':')[2]) : NaN;
    return Number.isInteger(gid) ? { mode: 0o660, gid } : { mode: 0o600 };
  } catch {
    return { mode: 0o600 };
  }
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? ((line: string) => debug(line));
  const { runtime, socketPath } = options;
  if (await socketAnswers(socketPath)) {
    throw new CtrnetError('CONFLICT', `a ctrnetd already answers at ${socketPath}; stop it first (ctrnet daemon stop)`);
  }
  const fixed = await runtime.system.gc();
  for (const line of fixed) log(`reconciled: ${line}`);

  let inFlight = 0;
  const api = new LocalApi(runtime, true);
  const app = createServer({ api, fingerprint: options.fingerprint, onCall: (d) => (inFlight += d) });
  const guard = new FirewallGuard(runtime.system, options.firewallCheckMs, (missing) => log(`re-applied the firewall (${missing.join('; ')})`));

  // Services first: once the daemon's socket answers (`ctrnet daemon start` returns), they answer too.
  const services: { name: string; stop(): Promise<void> }[] = [];
  for (const service of options.services ?? []) services.push({ name: service.name, ...(await service.start(api, (line) => log(`${service.name}: ${line}`))) });
  const access = socketAccess();
  await listenPrivately(socketPath, () => app.listen({ path: socketPath }), { mode: access.mode });
  if (access.gid !== undefined) chownSync(socketPath, 0, access.gid);
  if (options.pidFile) writeFileSync(options.pidFile, `${process.pid}\n`, { mode: 0o600 });
  guard.start();
  const dns = new DnsService(runtime, log);
  await dns.start();
  // Resident work of plugins (watches of a cluster store): only a daemon keeps it running between commands.
  await runtime.startServices(log);
  // Ready namespaces for the next runs, made in the background once the daemon serves.
  runtime.namespaces.start();
  log(`ctrnetd ${runtime.version} serving ${runtime.ctx.config.stateDir} on ${socketPath} (pid ${process.pid})`);

  /** One part of stopping, named in the log when it is slow (a stop that hangs then says where). */
  const step = async (what: string, run: () => Promise<void>): Promise<void> => {
    const slow = setTimeout(() => log(`stopping: still waiting for ${what}`), SLOW_STOP_STEP_MS);
    try {
      await run();
    } finally {
      clearTimeout(slow);
    }
  };
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = () =>
    (stopping ??= (async () => {
      log(`stopping (${inFlight} request${inFlight === 1 ? '' : 's'} in flight)`);
      for (const service of services.reverse()) await step(`service ${service.name}`, () => service.stop());
      // close() stops accepting and waits for requests in flight; their operations finish normally.
      await step('the API', () => app.close());
      await step('DNS', () => dns.stop());
      await step('the firewall guard', () => guard.stop());
      await step("plugins' services", () => runtime.stopServices());
      rmSync(socketPath, { force: true });
      if (options.pidFile) rmSync(options.pidFile, { force: true });
      await runtime.close();
      log('stopped');
      resolveStopped();
    })());
  return { stopped, stop };
}
