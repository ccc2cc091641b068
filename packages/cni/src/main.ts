/**
 * `ctrnet-cni`: what a CNI runtime executes. The command is in CNI_COMMAND,
 * the configuration on stdin; the result (or the error JSON) goes to
 * stdout, logs to stderr. The runtime API is ctrnetd's when one serves the
 * installation the configuration names, else this process's own (loaded
 * only then; ctrnetd also runs this same code for calls its native front
 * forwards, see forwarder.ts). `ctrnet-cni install DIR` puts the plugin
 * into a CNI bin dir.
 */
import type { ConfigInputs, CtrnetApi } from '@ctrnet/core/api';
import { openApi } from '@ctrnet/client';
import { commandOf, parseEnv } from './env.js';
import { installLauncher } from './install.js';
import { parseNetConf, peekVersion } from './netconf.js';
import { serve } from './plugin.js';
import { CNI_CODES, CniError, LATEST_VERSION, SUPPORTED_VERSIONS, toCniError } from './spec.js';

/** Where a command reads and writes, and how it reaches the runtime API: the process's own ({@link processIo}), or a forwarded call's. */
export interface CniIo {
  env: NodeJS.ProcessEnv;
  readStdin(): Promise<string>;
  write(text: string): void;
  /** The runtime API of the installation the configuration names. */
  openApi(inputs: ConfigInputs): Promise<CtrnetApi>;
}

const USAGE = `usage: ctrnet-cni                 (run by a CNI runtime: CNI_COMMAND and the other CNI_* variables, config on stdin)
       ctrnet-cni install [DIR]   (write the "ctrnet" plugin into a CNI bin dir; default /opt/cni/bin)
`;

export async function main(argv: readonly string[], io: CniIo): Promise<number> {
  if (argv[0] === 'install') {
    const path = installLauncher(argv[1] ?? '/opt/cni/bin', argv[2] ?? 'ctrnet');
    io.write(`installed ${path}\n`);
    return 0;
  }
  if (argv.length || !io.env.CNI_COMMAND) {
    process.stderr.write(USAGE);
    if (argv.length) return argv[0] === '--help' || argv[0] === 'help' ? 0 : 2;
  }
  let stdin = '';
  let version: string = LATEST_VERSION;
  try {
    stdin = await io.readStdin().catch((err: Error) => {
      throw new CniError(CNI_CODES.ioFailure, `cannot read the network configuration from stdin: ${err.message}`);
    });
    const requested = peekVersion(stdin);
    if (requested && (SUPPORTED_VERSIONS as readonly string[]).includes(requested)) version = requested;
    if (commandOf(io.env) === 'VERSION') {
      io.write(JSON.stringify({ cniVersion: version, supportedVersions: [...SUPPORTED_VERSIONS] }));
      return 0;
    }
    const env = parseEnv(io.env);
    const conf = parseNetConf(stdin, env.args);
    const inputs: ConfigInputs = { ...conf.installation, env: io.env };
    const api = await io.openApi(inputs).catch((err: unknown) => {
      throw env.command === 'STATUS' ? new CniError(CNI_CODES.notAvailable, `ctrnet is not available: ${(err as Error).message}`) : err;
    });
    try {
      const result = await serve(env, conf, api);
      if (result) io.write(JSON.stringify(result));
    } finally {
      await api.close();
    }
    return 0;
  } catch (err) {
    io.write(toCniError(err).toJson(version));
    return 1;
  }
}

/**
 * This process's stdin, stdout and environment; the API is ctrnetd's when
 * one serves the installation, else `inProcess` (which the entry script
 * loads lazily: it pulls in SQLite and the plugins).
 */
export function processIo(inProcess: (inputs: ConfigInputs) => Promise<CtrnetApi>): CniIo {
  return {
    env: process.env,
    openApi: (inputs) => openApi(inputs, () => inProcess(inputs)),
    write: (text) => process.stdout.write(text),
    readStdin: () =>
      new Promise((resolve, reject) => {
        if (process.stdin.isTTY) return resolve('');
        const chunks: Buffer[] = [];
        process.stdin.on('data', (c: Buffer) => chunks.push(c));
        process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        process.stdin.on('error', reject);
      }),
  };
}
