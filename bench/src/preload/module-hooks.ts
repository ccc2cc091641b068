/**
 * ESM loader hooks, registered by record-modules.ts, that run in Node's
 * loader thread: every URL the process resolves is appended to the log
 * file as `esm <url>`. Written synchronously, line by line, so nothing is
 * lost when the process exits while the loader thread is still busy.
 */
import { appendFileSync } from 'node:fs';
import type { InitializeHook, ResolveHook } from 'node:module';

let log = '';

export const initialize: InitializeHook<{ log: string }> = (data) => {
  log = data.log;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(log, `esm ${resolved.url}\n`);
  return resolved;
};
