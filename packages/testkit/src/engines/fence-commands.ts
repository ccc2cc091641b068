/**
 * How a command runs inside a fence once its argv carries the nsenter
 * prefix: piped to completion, or with its output on a log file for
 * commands that leave a child holding their stdio; always with an
 * environment cleaned of the host's engine variables.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import type { ExecOutput, NetnsExecOptions } from '../netns.js';

const DEFAULT_EXEC_TIMEOUT_MS = 60_000;

/**
 * Variables that would point an engine or its CLI at the host's daemons,
 * config or temp space; removed from every command run in a fence.
 * (A DOCKER_CONFIG without config.json even makes Podman fail.)
 */
const HOST_ENGINE_ENV = [
  'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY',
  'CONTAINER_HOST', 'CONTAINER_CONNECTION', 'CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF', 'CONTAINERS_REGISTRIES_CONF',
  'CONTAINERD_ADDRESS', 'CONTAINERD_NAMESPACE', 'CNI_PATH', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'TMPDIR',
];

/** Options for {@link Fence.exec}. */
export interface FenceExecOptions extends NetnsExecOptions {
  /** Extra environment variables (the host's engine variables are always removed). */
  env?: Record<string, string>;
  /** Kill the command after this long (default 60 s); it then rejects. */
  timeoutMs?: number;
  /**
   * The command leaves a process behind that inherits its stdio (`runc run
   * -d`, `crun run -d`): pipes would never close, so stdout and stderr go to
   * a log file under `<dir>/logs/` instead, and `stderr` holds its content.
   * `input` is ignored.
   */
  background?: boolean;
}

/**
 * Runs with stdout and stderr on a log file and waits for the exit only:
 * Node's child_process, because execa waits for the streams to close too.
 */
export async function runLogged(full: readonly string[], opts: FenceExecOptions, path: string): Promise<ExecOutput> {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', fd, fd], env: fenceEnv(opts.env), timeout: opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS });
    const exitCode = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('exit', (code) => resolve(code ?? 128));
    });
    return { stdout: '', stderr: readFileSync(path, 'utf8'), exitCode };
  } finally {
    closeSync(fd);
  }
}

/** Runs to completion with piped stdio. */
export async function runPiped(full: readonly string[], opts: FenceExecOptions): Promise<ExecOutput> {
  const result = await execa(full[0]!, full.slice(1), {
    input: opts.input,
    reject: false,
    extendEnv: false,
    env: fenceEnv(opts.env),
    timeout: opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
  });
  const stderr = String(result.stderr ?? '');
  // A timeout or a failed start has no exit code; its message says what happened.
  return { stdout: String(result.stdout ?? ''), stderr: stderr || (result.failed ? String(result.message ?? '') : ''), exitCode: result.exitCode ?? 127 };
}

/** The environment of a command in the fence: ours without the host's engine variables, C locale, plus `extra`. */
function fenceEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !HOST_ENGINE_ENV.includes(k)) env[k] = v;
  return { ...env, LC_ALL: 'C', ...extra };
}

/** The same for a long-running process started through the testkit's spawnProcess, which merges over our environment. */
export function spawnEnv(extra: Record<string, string> = {}): Record<string, string> {
  // Node drops variables whose value is undefined: that is how the host's engine variables are removed here.
  return { ...Object.fromEntries(HOST_ENGINE_ENV.map((k) => [k, undefined])), LC_ALL: 'C', ...extra } as Record<string, string>;
}
