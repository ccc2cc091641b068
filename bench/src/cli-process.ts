/**
 * The ctrnet CLI as a process, the way the CLI runners and the start-up
 * section call it: `node bin/ctrnet.js --state-dir DIR …` with a small
 * environment that fixes the port backend and says whether a daemon must
 * serve the command.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_ENV } from './exec.js';

/** The CLI script; detached containers also report their exit to it. */
export const CTRNET_CLI = fileURLToPath(new URL('../../packages/cli/bin/ctrnet.js', import.meta.url));

/**
 * `never`: the command runs in its own process, opening the store and the
 * plugins itself. `required`: the command is a thin client of ctrnetd and
 * fails when none answers, so a daemon that died cannot silently turn the
 * figures into in-process ones.
 */
export type DaemonMode = 'never' | 'required';

/** The port backend every CLI call of the bench uses; ctrnetd serves only clients with the same `$CTRNET_PORT_BACKEND`. */
export const CLI_PORT_BACKEND = 'nftables';

/** argv of one CLI call on `stateDir`; `nodeArgs` go to node (the start-up profile's recorders: `--import X`, `--require X`). */
export function ctrnetArgv(stateDir: string, args: readonly string[], nodeArgs: readonly string[] = []): string[] {
  return [process.execPath, ...nodeArgs, CTRNET_CLI, '--state-dir', stateDir, ...args];
}

/**
 * The environment of a CLI call: TOOL_ENV, the port backend, the daemon
 * mode (none for `daemon run`, which serves rather than chooses), and
 * `extra` (a recorder's output file).
 */
export function ctrnetEnv(daemon?: DaemonMode, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...TOOL_ENV, CTRNET_PORT_BACKEND: CLI_PORT_BACKEND, ...(daemon ? { CTRNET_DAEMON: daemon } : {}), ...extra };
}

/** The socket ctrnetd listens on for a state dir other than the default one (docs/daemon.md). */
export function daemonSocket(stateDir: string): string {
  return join(stateDir, 'ctrnetd.sock');
}
