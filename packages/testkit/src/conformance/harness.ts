/**
 * What every conformance suite shares: mocha presence, ids, the plugin
 * context aimed at a throwaway host namespace, error expectations, and
 * registration of the plugin through the same Registry core uses.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, EventBus, Registry, type ErrorCode, type PluginContext } from '@ctrnet/core';
import { HostNamespaceExecutor } from '../host-executor.js';
import type { NetnsHandle } from '../netns.js';

/** A whole kernel test (namespaces, a few servers, cleanup) stays well inside this. */
export const SUITE_TIMEOUT_MS = 60_000;

/** Throw a clear error when a suite is defined outside a mocha test file. */
export function requireMocha(suite: string): void {
  if (typeof describe !== 'function' || typeof it !== 'function') {
    throw new CtrnetError('INVALID_STATE', `${suite}() needs mocha globals; call it at the top level of a mocha test file (e.g. test/conformance.integ.ts)`);
  }
}

/** A 64-hex-character id like core makes for networks, endpoints and containers. */
export function hexId(): string {
  return randomBytes(32).toString('hex');
}

/** A plugin context whose commands run in `host` unless aimed at another namespace. */
export function hostContext(host: NetnsHandle, suite: string): PluginContext {
  return { exec: new HostNamespaceExecutor(host.path), log: createDebug(`ctrnet:conformance:${suite}`) };
}

/** Run `fn`; it must throw a CtrnetError with one of `codes`. Returns the error. */
export async function expectCtrnetError(what: string, codes: readonly ErrorCode[], fn: () => unknown): Promise<CtrnetError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) expect.fail(`${what}: expected a CtrnetError (${codes.join(' or ')}), but nothing was thrown`);
  if (!(thrown instanceof CtrnetError)) {
    // Core maps only CtrnetErrors to exit statuses and one-line messages; anything else reads as a crash.
    expect.fail(`${what}: expected a CtrnetError (${codes.join(' or ')}), got ${describeThrown(thrown)}; throw CtrnetError (or invalidArgument) from @ctrnet/core`);
  }
  expect(codes, `${what}: error code of "${thrown.message}"`).to.include(thrown.code);
  expect(thrown.message, `${what}: the message must name the bad value and what to do`).to.not.equal('');
  return thrown;
}

function describeThrown(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : JSON.stringify(err);
}

/**
 * Register `plugin` (a module's default export) with a fresh Registry, as
 * core's loader does with every plugin the config lists, after the plugins
 * it depends on.
 */
export async function registerPlugin(plugin: unknown, source: string, dependencies: readonly unknown[] = []): Promise<Registry> {
  const registry = new Registry(new EventBus());
  for (const [i, dependency] of dependencies.entries()) await registry.register(dependency, `${source} dependency ${i}`);
  await registry.register(plugin, source);
  return registry;
}
