/**
 * `ctrnet-oci-hook STAGE [--state-dir DIR] [--config FILE]`, as an OCI
 * runtime runs it: the container state on stdin, a failure reported on
 * stderr with a non-zero exit (which fails `create` in createRuntime, and
 * is a warning in poststop). `ctrnet-oci-hook hooks` prints the hooks
 * object to paste into a bundle's config.json.
 */
import { fileURLToPath } from 'node:url';
import type { ConfigInputs, CtrnetApi } from '@ctrnet/core/api';
import { openApi } from '@ctrnet/client';
import { runStage, STAGES, type Stage } from './hook.js';
import { parseState } from './state.js';

/** PATH for the hook entry: runc passes the runtime's environment when `env` is unset, crun an empty one; neither is reliable. */
export const HOOK_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Seconds a stage may take: the runtime kills the hook after that (in-process start-up is the slow part). */
export const HOOK_TIMEOUT_S = 30;

const ENTRY = fileURLToPath(new URL('../../bin/ctrnet-oci-hook.js', import.meta.url));

const USAGE = `usage: ctrnet-oci-hook createRuntime|poststop [--state-dir DIR] [--config FILE]   (run by runc or crun, state on stdin)
       ctrnet-oci-hook hooks [--state-dir DIR] [--config FILE]                     (print the config.json "hooks" to use)
`;

export interface HookIo {
  readStdin(): Promise<string>;
  log(line: string): void;
  openApi?(inputs: ConfigInputs): Promise<CtrnetApi>;
}

export async function main(argv: readonly string[], io: HookIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  const inputs = parseOptions(rest);
  if (!inputs) {
    io.log(USAGE);
    return 2;
  }
  if (command === 'hooks') {
    process.stdout.write(`${JSON.stringify(hooksFor(inputs), null, 2)}\n`);
    return 0;
  }
  if (!(STAGES as readonly string[]).includes(command ?? '')) {
    io.log(USAGE);
    return 2;
  }
  try {
    const state = parseState(await io.readStdin());
    const api = await (io.openApi ?? defaultOpen)(inputs);
    try {
      io.log(`ctrnet-oci-hook ${command}: ${await runStage(command as Stage, state, api)}\n`);
    } finally {
      await api.close();
    }
    return 0;
  } catch (err) {
    io.log(`ctrnet-oci-hook ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** The `hooks` object of a config.json that runs this hook (absolute Node and script paths, PATH set). */
export function hooksFor(inputs: ConfigInputs): Record<'createRuntime' | 'poststop', { path: string; args: string[]; env: string[]; timeout: number }[]> {
  const options = [...(inputs.stateDir ? ['--state-dir', inputs.stateDir] : []), ...(inputs.configPath ? ['--config', inputs.configPath] : [])];
  const entry = (stage: Stage) => [{ path: process.execPath, args: ['node', ENTRY, stage, ...options], env: [HOOK_PATH_ENV], timeout: HOOK_TIMEOUT_S }];
  return { createRuntime: entry('createRuntime'), poststop: entry('poststop') };
}

function parseOptions(args: readonly string[]): ConfigInputs | undefined {
  const inputs: ConfigInputs = {};
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1];
    if (value === undefined) return undefined;
    if (args[i] === '--state-dir') inputs.stateDir = value;
    else if (args[i] === '--config') inputs.configPath = value;
    else return undefined;
  }
  return inputs;
}

function defaultOpen(inputs: ConfigInputs): Promise<CtrnetApi> {
  return openApi(inputs, async () => (await import('@ctrnet/cli/local')).openLocalApi(inputs));
}

function processIo(): HookIo {
  return {
    log: (line) => process.stderr.write(line),
    readStdin: () =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        process.stdin.on('data', (c: Buffer) => chunks.push(c));
        process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        process.stdin.on('error', reject);
      }),
  };
}
