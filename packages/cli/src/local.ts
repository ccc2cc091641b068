/**
 * The in-process runtime: loaded only when no daemon serves the command
 * (or by the daemon itself), because it pulls in SQLite, zod, execa and the
 * plugins, which the thin-client path must not pay for.
 */
import { fileURLToPath } from 'node:url';
import { CoprocessExecutor, EXECUTOR, LocalApi, Runtime, type ConfigInputs } from '@ctrnet/core';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { BUILTIN_MODULES } from './builtins.js';
import { VERSION } from './version.js';

/** The `ctrnet` script a detached container's supervisor runs to report its exit (`system reap`). */
const CLI_SCRIPT = fileURLToPath(new URL('../../bin/ctrnet.js', import.meta.url));

/** Open the runtime for a state dir, with the built-in plugins linked in. `container` swaps core parts (the daemon's executor). */
export function openRuntime(inputs: ConfigInputs, container?: DependencyContainer): Promise<Runtime> {
  return Runtime.open({
    ...inputs,
    container,
    reaper: { node: process.execPath, cli: CLI_SCRIPT },
    preloaded: { modules: BUILTIN_MODULES, version: VERSION },
    version: VERSION,
  });
}

export async function openLocalApi(inputs: ConfigInputs): Promise<LocalApi> {
  return new LocalApi(await openRuntime(inputs));
}

/**
 * The daemon's runtime: the same parts, except kernel commands go through
 * resident `ip` and `nft` coprocesses (0.4–0.6 ms a request instead of a
 * spawn), which only pay off in a process that stays up.
 */
export function openDaemonRuntime(inputs: ConfigInputs): Promise<Runtime> {
  const parts = rootContainer.createChildContainer();
  parts.registerInstance(EXECUTOR, new CoprocessExecutor());
  return openRuntime(inputs, parts);
}
