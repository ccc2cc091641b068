/**
 * CNI version negotiation, which libcni itself does not do: every binary of
 * the list is asked (VERSION) what it speaks, and the highest version both
 * the config and all binaries accept is used. Debian 12's reference plugins
 * stop at 1.0.0, so a 1.1.0 list runs them at 1.0.0 instead of failing.
 */
import { CtrnetError } from '@ctrnet/core';
import type { ConfList } from './conflist.js';

/** The versions whose results this driver reads. */
export const DRIVER_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];

function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The versions the config is valid for: `cniVersions` when given (1.1),
 * else every known version up to `cniVersion` (a list written for 1.1.0 is
 * understood by a 1.0.0 plugin, which ignores the newer fields).
 */
export function configVersions(list: ConfList): string[] {
  return list.cniVersions ?? DRIVER_VERSIONS.filter((v) => compare(v, list.cniVersion) <= 0);
}

/** The highest version in every list; CONFLICT-free explanation when there is none. */
export function negotiate(list: ConfList, supported: ReadonlyMap<string, readonly string[]>): string {
  const common = configVersions(list)
    .filter((v) => DRIVER_VERSIONS.includes(v))
    .filter((v) => [...supported.values()].every((s) => s.includes(v)))
    .sort(compare);
  const chosen = common.at(-1);
  if (!chosen) {
    const speaks = [...supported.entries()].map(([name, s]) => `${name} speaks ${s.join(', ')}`).join('; ');
    throw new CtrnetError('INVALID_CONFIG', `incompatible CNI versions in ${list.name}: the config is ${list.cniVersion}${list.cniVersions ? ` (${list.cniVersions.join(', ')})` : ''}, ${speaks}; set a cniVersion all plugins support`);
  }
  return chosen;
}
