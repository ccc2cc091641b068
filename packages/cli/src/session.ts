import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CtrnetError, type ConfigInputs, type CtrnetApi } from '@ctrnet/core/api';
import { DaemonUnavailable, HttpApi, locateDaemon } from '@ctrnet/client';

export interface GlobalOptions {
  config?: string;
  stateDir?: string;
  debug?: boolean;
}

/** The status a command wants the process to exit with (foreground run, exec). */
export interface CommandResult {
  status: number;
}

export function configInputs(command: Command): ConfigInputs {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return { configPath: globals.config, stateDir: globals.stateDir };
}

/** How a command's body reaches the API: {@link withApi} in the full program, only the daemon on the fast path (src/fast). */
export type UseApi = <T>(work: (api: CtrnetApi) => Promise<T>) => Promise<T>;

/**
 * Run `work` against the runtime API: through ctrnetd when one serves this
 * state dir with this config (config `daemon`: auto, the default), else in
 * this process. Both give the same output and exit status.
 */
export async function withApi<T>(command: Command, work: (api: CtrnetApi) => Promise<T>): Promise<T> {
  return withApiFor(configInputs(command), work);
}

/** {@link withApi} for a state dir and config named outright (shell completion reads them from the words typed). */
export async function withApiFor<T>(inputs: ConfigInputs, work: (api: CtrnetApi) => Promise<T>): Promise<T> {
  const where = locateDaemon(inputs);
  if (where.mode !== 'never') {
    // No ping first: the first call tells whether a daemon serves us, before anything was done.
    const remote = new HttpApi(where.socketPath, where.fingerprint);
    try {
      return await work(remote);
    } catch (err) {
      if (!(err instanceof DaemonUnavailable) || remote.answered) throw err;
      if (where.mode === 'required') {
        throw new CtrnetError('DAEMON_UNAVAILABLE', `${err.message}; start it with: ctrnet daemon start (daemon "required" is set by ${where.modeSource})`);
      }
    } finally {
      await remote.close();
    }
  }
  return inProcess(inputs, work);
}

async function inProcess<T>(inputs: ConfigInputs, work: (api: CtrnetApi) => Promise<T>): Promise<T> {
  requirePrivileges();
  const { openLocalApi } = await import('./local.js');
  const api = await openLocalApi(inputs);
  let needsDaemon = false;
  try {
    const result = await work(api);
    // The embedded DNS resolver runs in ctrnetd: start one on demand, as Podman starts aardvark-dns.
    needsDaemon = api.runtime.system.resolverNeeded();
    return result;
  } finally {
    await api.close();
    if (needsDaemon) await startDaemonFor(inputs);
  }
}

/** `ctrnet daemon start` for these inputs, as a child; its output is not the command's. */
async function startDaemonFor(inputs: ConfigInputs): Promise<void> {
  const { spawnChild, exitStatus } = await import('./child.js');
  const cli = new URL('../../bin/ctrnet.js', import.meta.url).pathname;
  const argv = [process.execPath, cli, ...(inputs.stateDir ? ['--state-dir', inputs.stateDir] : []), ...(inputs.configPath ? ['--config', inputs.configPath] : []), 'daemon', 'start'];
  const status = await exitStatus(await spawnChild(argv, { stdio: ['ignore', 'ignore', 'inherit'] }));
  if (status !== 0) process.stderr.write('ctrnet: warning: could not start ctrnetd, so container names do not resolve; see ctrnet daemon start\n');
}

/** CAP_NET_ADMIN is bit 12 of the effective capability set. */
const CAP_NET_ADMIN = 12n;

export function requirePrivileges(): void {
  if (process.getuid?.() === 0) return;
  const status = readFileSync('/proc/self/status', 'utf8');
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  if (capEff && (BigInt(`0x${capEff}`) >> CAP_NET_ADMIN) & 1n) return;
  throw new CtrnetError('PERMISSION_DENIED', 'ctrnet must run as root (or with CAP_NET_ADMIN); retry with sudo');
}

/** Repeatable option collector for commander. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
