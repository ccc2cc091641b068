/**
 * Running one CNI plugin binary as libcni's `invoke` package does: the
 * parameters in CNI_* variables (CNI_PATH always set: skel-based plugins
 * refuse to run without it), the request on stdin, the result on stdout,
 * and on failure the error JSON on stdout. "Text file busy" (the binary is
 * being replaced) is retried, as libcni does. Everything goes through the
 * executor: `env -i` gives the plugin exactly the environment it should
 * see, as an argv, without a shell.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { CtrnetError, ExecError, type Executor } from '@ctrnet/core';
import type { Json } from './conflist.js';

const debug = createDebug('ctrnet:driver-cni:invoke');

/** libcni: up to 5 retries, 1 s apart. */
const BUSY_RETRIES = 5;
const BUSY_DELAY_MS = 1000;

/** PATH the plugins run with: they call iptables, ip, ... themselves. */
const PLUGIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Invocation {
  command: 'ADD' | 'DEL' | 'CHECK' | 'VERSION';
  containerId: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS, `K=V;K2=V2`. */
  args: string;
  /** Directories searched for plugin binaries, in order (also CNI_PATH). */
  binDirs: readonly string[];
}

/** The binary of plugin `type`: the first of `binDirs` that has it. */
export function findPlugin(type: string, binDirs: readonly string[]): string {
  for (const dir of binDirs) {
    const path = join(dir, type);
    if (existsSync(path)) return path;
  }
  throw new CtrnetError('NOT_FOUND', `CNI plugin "${type}" not found in ${binDirs.join(':')}; install it (Debian: containernetworking-plugins) or set -o cni_path`);
}

/** Run the plugin; resolves with its parsed stdout (undefined when it printed nothing). */
export async function invokePlugin(exec: Executor, type: string, inv: Invocation, request: Json): Promise<Json | undefined> {
  const path = findPlugin(type, inv.binDirs);
  const argv = [
    'env',
    '-i',
    `PATH=${PLUGIN_PATH}`,
    `CNI_COMMAND=${inv.command}`,
    `CNI_CONTAINERID=${inv.containerId}`,
    `CNI_NETNS=${inv.netns}`,
    `CNI_IFNAME=${inv.ifname}`,
    `CNI_ARGS=${inv.args}`,
    `CNI_PATH=${inv.binDirs.join(':')}`,
    path,
  ];
  const input = JSON.stringify(request);
  for (let attempt = 0; ; attempt++) {
    try {
      debug('%s %s %s %s', inv.command, type, inv.containerId, inv.ifname);
      const { stdout } = await exec.run(argv, { input });
      return stdout.trim() ? (JSON.parse(stdout) as Json) : undefined;
    } catch (err) {
      if (err instanceof ExecError && /text file busy/i.test(err.stderr) && attempt < BUSY_RETRIES) {
        await sleep(BUSY_DELAY_MS);
        continue;
      }
      throw pluginError(type, inv.command, err);
    }
  }
}

/** The plugin's error JSON (`{code, msg, details}` on stdout) as a CtrnetError; stderr when there is none. */
function pluginError(type: string, command: string, err: unknown): CtrnetError {
  if (!(err instanceof ExecError)) return new CtrnetError('EXEC_FAILED', `CNI plugin ${type} ${command} failed: ${(err as Error).message}`, { cause: err });
  let detail = err.stderr.trim().split('\n')[0] || `exit status ${err.exitCode}`;
  try {
    const parsed = JSON.parse(err.stdout) as { code?: number; msg?: string; details?: string };
    if (parsed.msg) detail = `${parsed.msg}${parsed.details ? ` (${parsed.details})` : ''} [CNI code ${parsed.code}]`;
  } catch {
    // not JSON: stderr it is
  }
  return new CtrnetError('EXEC_FAILED', `CNI plugin ${type} ${command} failed: ${detail}`, { cause: err });
}
