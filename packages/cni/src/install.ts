/**
 * Installing the plugin into a CNI bin dir: a launcher named after the
 * conflist's `type` ("ctrnet") that runs this package's entry with the
 * Node that installed it, by absolute path. CNI runtimes exec plugins with
 * their own PATH (or none), so neither `node` nor the package is looked up.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '@ctrnet/core/api';

/** The package's executable (bin/ctrnet-cni.js): it prefers the bundle and falls back to the tsc output. */
export const ENTRY = fileURLToPath(new URL('../../bin/ctrnet-cni.js', import.meta.url));

/** The native front (native/ctrnet-cni.c), when the build could compile it. */
export const NATIVE = fileURLToPath(new URL('../native/ctrnet-cni', import.meta.url));

/**
 * Write DIR/NAME: the native front, which forwards each call to ctrnetd and
 * runs DIR/NAME.js (the Node launcher, written beside it) when none serves;
 * or, without the native front, the launcher itself. Returns DIR/NAME.
 */
export function installLauncher(dir: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw invalidArgument(`invalid plugin name ${JSON.stringify(name)}: a CNI plugin type has no '/' or blanks`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const launcher = launcherText(process.execPath, ENTRY);
  if (existsSync(NATIVE)) {
    atomicWrite(`${path}.js`, launcher);
    atomicWrite(path, readFileSync(NATIVE));
  } else {
    atomicWrite(path, launcher);
  }
  return path;
}

/** A runtime may exec the file meanwhile: write aside, then rename over. */
function atomicWrite(path: string, content: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  chmodSync(tmp, 0o755);
  renameSync(tmp, path);
}

/** A script Node runs directly (no shell in between): the shebang names Node, the body loads the entry. */
export function launcherText(node: string, entry: string): string {
  return `#!${node}\n// ctrnet CNI plugin launcher, written by: ctrnet-cni install\nimport(${JSON.stringify(entry)});\n`;
}
