/**
 * libcni's result cache (`<cache dir>/results/<network>-<container>-<ifname>`,
 * kind `cniCacheV1`): the final ADD result with the exact config bytes and
 * arguments it was made with. DEL and CHECK use it, so a DEL after the
 * conflist changed still tears down what ADD made. The format is libcni's,
 * so tools that read the cache (and Podman's own teardown) understand it.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from './conflist.js';

export interface CachedAttachment {
  kind: 'cniCacheV1';
  containerId: string;
  /** The conflist bytes, base64 (libcni marshals a []byte). */
  config: string;
  ifName: string;
  networkName: string;
  netns: string;
  cniArgs: [string, string][];
  capabilityArgs: Json;
  result: Json;
}

function cachePath(cacheDir: string, network: string, containerId: string, ifname: string): string {
  return join(cacheDir, 'results', `${network}-${containerId}-${ifname}`);
}

export function writeCache(cacheDir: string, entry: CachedAttachment): void {
  const path = cachePath(cacheDir, entry.networkName, entry.containerId, entry.ifName);
  mkdirSync(join(cacheDir, 'results'), { recursive: true, mode: 0o700 });
  writeFileSync(`${path}.tmp`, JSON.stringify(entry), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export function readCache(cacheDir: string, network: string, containerId: string, ifname: string): CachedAttachment | undefined {
  try {
    const entry = JSON.parse(readFileSync(cachePath(cacheDir, network, containerId, ifname), 'utf8')) as CachedAttachment;
    return entry.kind === 'cniCacheV1' ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function deleteCache(cacheDir: string, network: string, containerId: string, ifname: string): void {
  rmSync(cachePath(cacheDir, network, containerId, ifname), { force: true });
}
