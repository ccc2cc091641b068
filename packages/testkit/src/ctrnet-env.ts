import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ctrnetCli, type CtrnetRunner } from './cli.js';
import type { TestNamespaces } from './namespaces.js';
import type { NetnsHandle } from './netns.js';
import { throughDaemon } from './daemon-mode.js';
import { tempStateDir } from './state-dir.js';


/** The ctrnetd of an installation, when the suite runs through the daemon. */
export interface DaemonHandle {
  /** (Re)start it, with extra environment variables (e.g. CTRNET_CRASH_AFTER for crash tests). */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
  /** Whether the daemon process is alive. */
  alive(): Promise<boolean>;
  /** What the daemon wrote to its log so far. */
  log(): string;
}

/** A ctrnet installation of its own for one test: a host namespace, a state dir and a CLI runner. */
export interface CtrnetEnv {
  host: NetnsHandle;
  stateDir: string;
  /** Run the CLI; resolves whatever the exit status. */
  cli: CtrnetRunner;
  /** Run the CLI and return stdout; rejects with the CLI's stderr on a non-zero exit. */
  ok(...args: string[]): Promise<string>;
  /** The installation's daemon, when the suite runs through it. */
  daemon?: DaemonHandle;
}

export interface CtrnetEnvOptions {
  /** Config file content (written into the state dir's parent temp folder). */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Start ctrnetd for this installation; default: when the suite runs through the daemon. */
  daemon?: boolean;
}

/**
 * Make a throwaway host namespace and state dir, and register `system reset`
 * for cleanup so container namespaces (which live in /run/netns, outside the
 * host namespace) are removed too, even when the test fails. Through the
 * daemon, the daemon is started here and stopped after the reset.
 */
export async function createCtrnetEnv(tn: TestNamespaces, options: CtrnetEnvOptions = {}): Promise<CtrnetEnv> {
  const host = await tn.createHost();
  const stateDir = tempStateDir(tn);
  let config: string | undefined;
  if (options.config) {
    config = join(stateDir, '..', `${host.name}.config.json`);
    writeFileSync(config, JSON.stringify(options.config));
    tn.defer(() => import('node:fs').then((fs) => fs.rmSync(config!, { force: true })));
  }
  const withDaemon = options.daemon ?? throughDaemon();
  const env = withDaemon && !options.env?.CTRNET_DAEMON ? { ...options.env, CTRNET_DAEMON: 'auto' } : options.env;
  const cli = ctrnetCli(host, stateDir, { config, env });
  const ok = async (...args: string[]) => {
    const result = await cli(args);
    if (result.exitCode !== 0) throw new Error(`ctrnet ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
    return result.stdout;
  };
  // Deferred first, so it runs last: the reset below goes through the daemon. Also stops one started on demand.
  const handle = daemonHandle(host, stateDir, config, env ?? {});
  tn.defer(() => handle.stop());
  let daemon: DaemonHandle | undefined;
  if (withDaemon) {
    daemon = handle;
    await ok('ps');
    await daemon.restart();
  }
  tn.defer(() => cli(['system', 'reset']));
  return { host, stateDir, cli, ok, daemon };
}

function daemonHandle(host: NetnsHandle, stateDir: string, config: string | undefined, env: Record<string, string>): DaemonHandle {
  const run = (extraEnv: Record<string, string> = {}) => ctrnetCli(host, stateDir, { config, env: { ...env, ...extraEnv } });
  const pid = (): number | undefined => {
    try {
      return Number(readFileSync(join(stateDir, 'ctrnetd.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const alive = async () => {
    const p = pid();
    if (!p) return false;
    try {
      process.kill(p, 0);
      return !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };
  const handle: DaemonHandle = {
    async restart(extraEnv) {
      await handle.stop();
      const r = await run(extraEnv)(['daemon', 'start']);
      if (r.exitCode !== 0) throw new Error(`ctrnet daemon start exited ${r.exitCode}: ${r.stderr.trim()}`);
    },
    async stop() {
      if (!(await alive())) return;
      const r = await run()(['daemon', 'stop']);
      // The state dir (and the log with it) is gone after cleanup: carry the log's last lines in the error.
      if (r.exitCode !== 0) throw new Error(`ctrnet daemon stop exited ${r.exitCode}: ${r.stderr.trim()}\n--- ctrnetd.log, last lines:\n${handle.log().split('\n').slice(-15).join('\n')}`);
    },
    alive,
    log: () => {
      try {
        return readFileSync(join(stateDir, 'ctrnetd.log'), 'utf8');
      } catch {
        return '';
      }
    },
  };
  return handle;
}
