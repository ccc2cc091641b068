import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { CtrnetError, DEFAULT_STATE_DIR, configFingerprint } from '@ctrnet/core/api';
import { DaemonUnavailable, HttpApi, locateDaemon } from '@ctrnet/client';
import type { DaemonService } from '@ctrnet/daemon';
import { spawnChild } from '../child.js';
import { configInputs, requirePrivileges, type CommandResult } from '../session.js';

const CLI_SCRIPT = fileURLToPath(new URL('../../bin/ctrnet.js', import.meta.url));

/** How long `daemon start` waits for the new daemon to answer, and `daemon stop` for it to exit. */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 60_000;

const pidFileOf = (stateDir: string) => join(stateDir, 'ctrnetd.pid');
const logFileOf = (stateDir: string) => join(stateDir, 'ctrnetd.log');

/** `daemon run` (what systemd starts), and `daemon start|stop|status` for machines without systemd. */
export function registerDaemonCommands(program: Command, result: CommandResult): void {
  const daemon = program.command('daemon').description('run and control ctrnetd, the resident engine');

  daemon
    .command('run')
    .description('run ctrnetd in the foreground (what ctrnetd.service starts)')
    .action(async (_opts: unknown, cmd: Command) => {
      requirePrivileges();
      const inputs = configInputs(cmd);
      const where = locateDaemon(inputs);
      const [{ openDaemonRuntime }, { startDaemon }] = await Promise.all([import('../local.js'), import('@ctrnet/daemon')]);
      const runtime = await openDaemonRuntime(inputs);
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      let running;
      try {
        const docker = runtime.ctx.config.docker;
        const services = [cniForwarderService(where.stateDir, where.socketPath, configFingerprint(inputs)), ...(docker ? [dockerPluginService(docker.pluginSocket)] : [])];
        running = await startDaemon({ runtime, socketPath: where.socketPath, fingerprint: configFingerprint(inputs), pidFile: pidFileOf(where.stateDir), log, services });
      } catch (err) {
        await runtime.close();
        throw err;
      }
      const daemonRef = running;
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void daemonRef.stop());
      await daemonRef.stopped;
    });

  daemon
    .command('start')
    .description('start ctrnetd in the background (pid and log files in the state dir)')
    .action(async (_opts: unknown, cmd: Command) => {
      requirePrivileges();
      const inputs = configInputs(cmd);
      const where = locateDaemon(inputs);
      const api = new HttpApi(where.socketPath, where.fingerprint);
      try {
        if (await pingOk(api)) {
          process.stdout.write(`ctrnetd is already running on ${where.socketPath}\n`);
          return;
        }
        const argv = [CLI_SCRIPT, '--state-dir', where.stateDir, ...(inputs.configPath ? ['--config', inputs.configPath] : []), 'daemon', 'run'];
        const logFile = logFileOf(where.stateDir);
        if (!existsSync(join(where.stateDir, 'state.db'))) {
          // `daemon start` may be the first command (dockerd makes its own root too): make the state dir as any
          // command does, before the log file goes in it.
          const { Store } = await import('@ctrnet/core');
          new Store(where.stateDir).close();
        }
        const log = openSync(logFile, 'a', 0o600);
        const child = await spawnChild([process.execPath, ...argv], { detached: true, stdio: ['ignore', log, log] });
        closeSync(log);
        child.unref();
        let exited = false;
        child.once('exit', () => (exited = true));
        for (let waited = 0; waited < START_TIMEOUT_MS && !exited; waited += 50) {
          if (await pingOk(api)) {
            process.stdout.write(`ctrnetd started (pid ${child.pid}) on ${where.socketPath}; log: ${logFile}\n`);
            return;
          }
          await sleep(50);
        }
        const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-1)[0] ?? '';
        throw new CtrnetError('DAEMON_UNAVAILABLE', `ctrnetd did not start (${exited ? 'it exited' : 'no answer'}): ${tail}; see ${logFile}`);
      } finally {
        await api.close();
      }
    });

  daemon
    .command('stop')
    .description('stop ctrnetd: it finishes the operations in flight first')
    .action(async (_opts: unknown, cmd: Command) => {
      requirePrivileges();
      const where = locateDaemon(configInputs(cmd));
      const pid = readPid(pidFileOf(where.stateDir));
      // The pid file may be stale and the PID reused: signal only a ctrnetd of this state dir.
      if (pid === undefined || !alive(pid) || !isOurDaemon(pid, where.stateDir)) {
        process.stdout.write('ctrnetd is not running\n');
        return;
      }
      process.kill(pid, 'SIGTERM');
      for (let waited = 0; waited < STOP_TIMEOUT_MS; waited += 50) {
        if (!alive(pid)) {
          process.stdout.write(`ctrnetd stopped (pid ${pid})\n`);
          return;
        }
        await sleep(50);
      }
      throw new CtrnetError('DAEMON_UNAVAILABLE', `ctrnetd (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s; see ${logFileOf(where.stateDir)}`);
    });

  daemon
    .command('status')
    .description('say whether ctrnetd serves this state dir (exit status 1 if not)')
    .action(async (_opts: unknown, cmd: Command) => {
      const where = locateDaemon(configInputs(cmd));
      const api = new HttpApi(where.socketPath, where.fingerprint);
      try {
        const info = (await pingOk(api)) ? await api.call('system.info', {}) : undefined;
        if (info) process.stdout.write(`ctrnetd ${info.version} is running (pid ${info.server.pid}) on ${where.socketPath}, serving ${info.stateDir}\n`);
        else process.stdout.write(`ctrnetd is not running (nothing answers at ${where.socketPath})\n`);
        result.status = info ? 0 : 1;
      } finally {
        await api.close();
      }
    });
}

async function pingOk(api: HttpApi): Promise<boolean> {
  try {
    await api.ping();
    return true;
  } catch (err) {
    if (err instanceof DaemonUnavailable) return false;
    throw err;
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isOurDaemon(pid: number, stateDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf('daemon');
    // A daemon of the default state dir may run without --state-dir (ctrnetd.service).
    return at >= 0 && argv[at + 1] === 'run' && (argv.includes(stateDir) || stateDir === DEFAULT_STATE_DIR);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Docker's remote network and IPAM driver protocol on `socketPath` (config key `docker`), loaded only when configured. */
function dockerPluginService(socketPath: string): DaemonService {
  return {
    name: 'docker plugin',
    start: async (api, log) => (await import('@ctrnet/docker-plugin')).startDockerPlugin({ api, socketPath, log }),
  };
}

/** Where ctrnet-cni's native front forwards CNI calls: ctrnetd runs them, so a call costs no Node start-up. */
function cniForwarderService(stateDir: string, daemonSocket: string, fingerprint: string): DaemonService {
  return {
    name: 'cni',
    start: async (api) => {
      const { cniSocketPath, startCniForwarder } = await import('@ctrnet/cni');
      return startCniForwarder({ api, socketPath: cniSocketPath(stateDir), daemonSocket, fingerprint });
    },
  };
}
