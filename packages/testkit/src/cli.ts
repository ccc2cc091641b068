import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import createDebug from 'debug';
import { execa } from 'execa';
import { CtrnetError } from '@ctrnet/core';
import { throughDaemon } from './daemon-mode.js';
import { inNetns, type ExecOutput, type NetnsHandle } from './netns.js';

const debug = createDebug('ctrnet:testkit:cli');

/** Options fixed for every call of a {@link ctrnetCli} runner. */
export interface CtrnetCliOptions {
  /** Extra environment variables, merged over the test process's environment. */
  env?: Record<string, string>;
  /** Passed as `--config FILE`. */
  config?: string;
}

/** Options for one CLI call. */
export interface CtrnetRunOptions {
  /** Written to the CLI's standard input. */
  input?: string;
  /** Kill the CLI after this long; the result then has a non-zero exit code. */
  timeoutMs?: number;
}

/** Runs the ctrnet CLI with the given arguments; resolves whatever the exit code. */
export type CtrnetRunner = (args: readonly string[], runOpts?: CtrnetRunOptions) => Promise<ExecOutput>;

/**
 * Path of `@ctrnet/cli`'s `ctrnet` bin, found through Node's own module
 * search paths. The package's `exports` hides `package.json` from
 * `require.resolve`, hence the manual walk. The bin itself may not be built yet.
 */
export function ctrnetBinPath(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('@ctrnet/cli') ?? []) {
    const manifest = join(dir, '@ctrnet', 'cli', 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin?.ctrnet ?? 'bin/ctrnet.js');
    // realpath: npm workspaces link the package; report where the file really is.
    return join(realpathSync(dirname(manifest)), bin);
  }
  throw new CtrnetError('NOT_FOUND', 'package @ctrnet/cli is not installed next to @ctrnet/testkit; run npm install at the repository root');
}

/** The full argv of one CLI call: `nsenter --net=HOST -- node BIN --state-dir DIR [--config FILE] ...args`. */
export function ctrnetArgv(hostPath: string, binPath: string, stateDir: string, args: readonly string[], config?: string): string[] {
  const configArgs = config === undefined ? [] : ['--config', config];
  return inNetns(hostPath, [process.execPath, binPath, '--state-dir', stateDir, ...configArgs, ...args]);
}

/**
 * A runner for the ctrnet CLI inside `host`, with its own state dir. Never
 * rejects on a non-zero exit. Unless the suite runs through the daemon (or
 * `env` says otherwise), commands run with `CTRNET_DAEMON=never`: in `auto`
 * mode a command would start ctrnetd on demand for the embedded DNS of user
 * networks, and the rest of the test would go through it.
 */
export function ctrnetCli(host: NetnsHandle, stateDir: string, opts: CtrnetCliOptions = {}): CtrnetRunner {
  const binPath = ctrnetBinPath();
  const env = opts.env?.CTRNET_DAEMON || throughDaemon() ? opts.env : { ...opts.env, CTRNET_DAEMON: 'never' };
  return async (args, runOpts = {}) => {
    const full = ctrnetArgv(host.path, binPath, stateDir, args, opts.config);
    debug('%o', full);
    const result = await execa(full[0]!, full.slice(1), {
      input: runOpts.input,
      timeout: runOpts.timeoutMs,
      env,
      reject: false,
    });
    // A spawn failure or timeout has no exit code; report it as one so callers need a single check.
    const stderr = String(result.stderr ?? '') || (result.failed && result.exitCode === undefined ? String(result.message ?? '') : '');
    return { stdout: String(result.stdout ?? ''), stderr, exitCode: result.exitCode ?? 1 };
  };
}
