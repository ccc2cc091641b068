import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createDebug from 'debug';
import type { TestNamespaces } from './namespaces.js';

const debug = createDebug('ctrnet:testkit:state-dir');

/** A fresh, empty directory under the OS temp dir for a ctrnet state store; removed at cleanup. */
export function tempStateDir(tn: TestNamespaces): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctt-state-'));
  debug('created %s', dir);
  tn.defer(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
