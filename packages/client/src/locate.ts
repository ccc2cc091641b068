import { readFileSync } from 'node:fs';
import { configFingerprint, configPathOf, daemonSocketPath, stateDirOf, type ConfigInputs } from '@ctrnet/core/api';

export type DaemonMode = 'auto' | 'never' | 'required';

/** Where a command's daemon is, and whether to use it. */
export interface DaemonLocation {
  stateDir: string;
  socketPath: string;
  mode: DaemonMode;
  fingerprint: string;
  /** Why the mode is what it is, for errors. */
  modeSource: string;
}

/**
 * Find the daemon for these inputs without validating the config: only
 * `stateDir` and `daemon` are read, and a file that does not parse counts
 * as empty. Validation is the runtime's job, in-process or in the daemon
 * (a daemon whose fingerprint differs is never used, see configFingerprint).
 */
export function locateDaemon(inputs: ConfigInputs): DaemonLocation {
  const env = inputs.env ?? process.env;
  const configPath = configPathOf(inputs);
  const file = configPath ? peek(configPath) : {};
  const stateDir = stateDirOf(inputs, configPath, typeof file.stateDir === 'string' ? file.stateDir : undefined);
  const fromEnv = env.CTRNET_DAEMON || undefined;
  const raw = fromEnv ?? file.daemon ?? 'auto';
  // An invalid value runs in-process, where the config loader reports it.
  const mode: DaemonMode = raw === 'auto' || raw === 'required' ? raw : 'never';
  return {
    stateDir,
    socketPath: daemonSocketPath(stateDir),
    mode,
    fingerprint: configFingerprint(inputs),
    modeSource: fromEnv ? '$CTRNET_DAEMON' : file.daemon ? `"daemon" in ${configPath}` : 'default',
  };
}

function peek(path: string): { stateDir?: unknown; daemon?: unknown } {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as { stateDir?: unknown; daemon?: unknown }) : {};
  } catch {
    return {};
  }
}
