import createDebug from 'debug';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { CtrnetError } from './errors.js';
import type { Registry } from './registry.js';

const debug = createDebug('ctrnet:core:loader');

/** The plugins loaded when the config does not list any. */
export const BUILTIN_PLUGINS = [
  '@ctrnet/ipam-default',
  '@ctrnet/driver-bridge',
  '@ctrnet/driver-host',
  '@ctrnet/driver-none',
  '@ctrnet/driver-container',
  '@ctrnet/ports-nftables',
  '@ctrnet/ports-iptables',
] as const;

/** Module loaders a host program links in ahead of time (a bundled CLI), by package name. */
export type PreloadedModules = Readonly<Record<string, () => Promise<unknown>>>;

/** Plugins a host program links in, and the version of the release they came with (they are released together). */
export interface Preloaded {
  modules: PreloadedModules;
  version: string;
}

/**
 * Load plugin modules and register them, in order. A spec starting with `.`
 * or `/` is a path (relative to `baseDir`, the config file's folder); anything
 * else is a package name resolved from `baseDir` and then from ctrnet itself.
 */
export async function loadPlugins(registry: Registry, specs: readonly string[], baseDir: string, preloaded?: Preloaded): Promise<void> {
  for (const spec of specs) {
    let mod: { default?: unknown };
    let url = spec;
    try {
      // Preloaded modules are the same packages, linked at build time; they register exactly like the rest.
      const linked = preloaded && Object.hasOwn(preloaded.modules, spec) ? preloaded.modules[spec] : undefined;
      if (!linked) url = resolveSpec(spec, baseDir);
      mod = (await (linked ? linked() : import(url))) as { default?: unknown };
    } catch (err) {
      if (err instanceof CtrnetError) throw err;
      throw new CtrnetError(
        'PLUGIN_INVALID',
        `cannot load plugin "${spec}": ${(err as Error).message.split('\n')[0]}; check the config's "plugins" entry and that the package is installed and built`,
        { cause: err },
      );
    }
    debug('loaded %s from %s', spec, url);
    await registry.register(mod.default, spec, url === spec ? preloaded?.version : packageVersionOf(url));
  }
}

/** The version in the package.json nearest above a module file, if any. */
function packageVersionOf(url: string): string | undefined {
  for (let dir = dirname(fileURLToPath(url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    try {
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function resolveSpec(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(baseDir, spec)).href;
  for (const from of [resolve(baseDir, 'noop.js'), import.meta.url]) {
    try {
      return pathToFileURL(createRequire(from).resolve(spec)).href;
    } catch {
      // try the next base
    }
  }
  throw new CtrnetError('PLUGIN_INVALID', `cannot find plugin package "${spec}"; install it (npm install ${spec}) or give a path starting with ./ in the config's "plugins"`);
}
