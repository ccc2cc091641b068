import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ctrnetCli, type CtrnetRunner } from './cli.js';
import type { TestNamespaces } from './namespaces.js';
import type { NetnsHandle } from './netns.js';
import { tempStateDir } from './state-dir.js';

/** A ctrnet installation of its own for one test: a host namespace, a state dir and a CLI runner. */
export interface CtrnetEnv {
  host: NetnsHandle;
  stateDir: string;
  /** Run the CLI; resolves whatever the exit status. */
  cli: CtrnetRunner;
  /** Run the CLI and return stdout; rejects with the CLI's stderr on a non-zero exit. */
  ok(...args: string[]): Promise<string>;
}

export interface CtrnetEnvOptions {
  /** Config file content (written into the state dir's parent temp folder). */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
}

/**
 * Make a throwaway host namespace and state dir, and register `system reset`
 * for cleanup so container namespaces (which live in /run/netns, outside the
 * host namespace) are removed too, even when the test fails.
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
  const cli = ctrnetCli(host, stateDir, { config, env: options.env });
  tn.defer(() => cli(['system', 'reset']));
  const ok = async (...args: string[]) => {
    const result = await cli(args);
    if (result.exitCode !== 0) throw new Error(`ctrnet ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim()}`);
    return result.stdout;
  };
  return { host, stateDir, cli, ok };
}
