/**
 * Where the config file and the state dir are, by cli.md's rules. Kept apart
 * from config.ts (and free of dependencies) so the thin CLI client can find
 * the daemon's socket without loading the config validator.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const DEFAULT_CONFIG_PATH = '/etc/ctrnet/config.json';
export const DEFAULT_STATE_DIR = '/var/lib/ctrnet';

/** Where values come from, highest priority first: flags, then environment, then file. */
export interface ConfigInputs {
  configPath?: string;
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** The config file to read: `--config`, else `$CTRNET_CONFIG`, else the default path if it exists. */
export function configPathOf(inputs: ConfigInputs): string | undefined {
  const env = inputs.env ?? process.env;
  // An empty variable counts as unset: CTRNET_STATE_DIR= must not make the cwd the state dir (and chmod it 0700).
  return inputs.configPath ?? (env.CTRNET_CONFIG || undefined) ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
}

/**
 * The state dir: `--state-dir`, else `$CTRNET_STATE_DIR`, else the file's
 * `stateDir`, else the default. A relative `stateDir` in the file means next
 * to the file, as plugin paths do; flags and env are relative to the cwd.
 */
export function stateDirOf(inputs: ConfigInputs, configPath: string | undefined, fileStateDir: string | undefined): string {
  const env = inputs.env ?? process.env;
  return resolve(inputs.stateDir ?? (env.CTRNET_STATE_DIR || undefined) ?? (fileStateDir && configPath ? resolve(dirname(configPath), fileStateDir) : DEFAULT_STATE_DIR));
}

/**
 * What makes two runtimes on one state dir behave alike: the config file
 * (path, size and modification time) and the environment overrides. ctrnetd
 * serves a client only when their fingerprints match, so a command run with
 * another `--config` or `$CTRNET_PORT_BACKEND` never gets the daemon's
 * behaviour silently; it runs in-process (and reports a bad config as such).
 */
export function configFingerprint(inputs: ConfigInputs): string {
  const env = inputs.env ?? process.env;
  const path = configPathOf(inputs);
  let file = 'defaults';
  if (path) {
    try {
      const st = statSync(path);
      file = `${resolve(path)}@${st.size}:${Math.round(st.mtimeMs)}`;
    } catch {
      file = `${resolve(path)}@missing`;
    }
  }
  return `${file};portBackend=${env.CTRNET_PORT_BACKEND ?? ''}`;
}
