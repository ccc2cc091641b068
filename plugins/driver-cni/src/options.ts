/** The cni driver's `-o KEY=VAL` options. */
import { invalidArgument } from '@ctrnet/core';

export interface CniOptions {
  /** Path of the conflist the network runs (read at create time; its bytes are kept with the network). */
  conflist: string;
  /** Where plugin binaries are looked up, `:`-separated; also each plugin's CNI_PATH. */
  cni_path: string;
  /** libcni's cache dir: results under `<dir>/results`. */
  cache_dir: string;
}

export const DEFAULTS = { cni_path: '/usr/lib/cni:/opt/cni/bin', cache_dir: '/var/lib/cni' } as const;

const KEYS = ['conflist', 'cni_path', 'cache_dir'] as const;

export function normaliseCniOptions(raw: Readonly<Record<string, string>>): CniOptions {
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) throw invalidArgument(`unknown cni driver option "${key}"; valid options are ${KEYS.join(', ')}`);
  }
  if (!raw.conflist) throw invalidArgument('the cni driver needs -o conflist=PATH (a CNI network configuration list)');
  for (const key of KEYS) {
    const value = raw[key];
    if (value !== undefined && !/^\/[^\s"'\\]*$/.test(value.split(':')[0]!)) throw invalidArgument(`invalid value "${value}" for cni driver option ${key}: expected absolute paths`);
  }
  return { conflist: raw.conflist, cni_path: raw.cni_path ?? DEFAULTS.cni_path, cache_dir: raw.cache_dir ?? DEFAULTS.cache_dir };
}
