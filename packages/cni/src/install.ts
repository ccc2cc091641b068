/**
 * Installing the plugin into a CNI bin dir: a launcher named after the
 * conflist's `type` ("ctrnet") that runs this package's entry with the
 * Node that installed it, by absolute path. CNI runtimes exec plugins with
 * their own PATH (or none), so neither `node` nor the package is looked up.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument } from '@ctrnet/core/api';

/** The package's executable (bin/ctrnet-cni.js): it prefers the bundle and falls back to the tsc output. */
export const ENTRY = fileURLToPath(new URL('../../bin/ctrnet-cni.js', import.meta.url));

/** Write DIR/NAME (atomically: a runtime may exec it meanwhile); returns its path. */
export function installLauncher(dir: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw invalidArgument(`invalid plugin name ${JSON.stringify(name)}: a CNI plugin type has no '/' or blanks`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, launcherText(process.execPath, ENTRY));
  chmodSync(tmp, 0o755);
  renameSync(tmp, path);
  return path;
}

/** A script Node runs directly (no shell in between): the shebang names Node, the body loads the entry. */
export function launcherText(node: string, entry: string): string {
  return `#!${node}\n// ctrnet CNI plugin launcher, written by: ctrnet-cni install\nimport(${JSON.stringify(entry)});\n`;
}
