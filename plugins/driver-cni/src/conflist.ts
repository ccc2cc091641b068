/**
 * A CNI network configuration list and what libcni derives from it for each
 * plugin: the request on stdin is the plugin object plus the list's `name`
 * and the negotiated `cniVersion`, `runtimeConfig` cut to the capabilities
 * the plugin declares (never `capabilities` itself), and `prevResult`.
 * Pure: parsing and request building are tested with plain equality.
 */
import { invalidArgument } from '@ctrnet/core';

export type Json = Record<string, unknown>;

/** One plugin of the list, as written in the file. */
export interface PluginConf extends Json {
  type: string;
  capabilities?: Record<string, boolean>;
  ipam?: Json & { type?: string };
}

export interface ConfList {
  name: string;
  cniVersion: string;
  /** CNI 1.1's list of versions the config is valid for, when given. */
  cniVersions?: string[];
  disableCheck: boolean;
  plugins: PluginConf[];
}

/** Parse a conflist's text; `source` names it in errors. */
export function parseConfList(text: string, source: string): ConfList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`CNI config ${source} is not JSON (${(err as Error).message}); give a .conflist file`, err);
  }
  const conf = raw as Partial<ConfList> & Json;
  if (typeof conf !== 'object' || conf === null) throw invalidArgument(`CNI config ${source} is not a JSON object`);
  if (typeof conf.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(conf.name)) throw invalidArgument(`CNI config ${source} has no valid "name" (${JSON.stringify(conf.name)})`);
  if (typeof conf.cniVersion !== 'string') throw invalidArgument(`CNI config ${source} has no "cniVersion"`);
  if (conf.cniVersions !== undefined && (!Array.isArray(conf.cniVersions) || !conf.cniVersions.every((v) => typeof v === 'string'))) {
    throw invalidArgument(`CNI config ${source}: "cniVersions" must be a list of versions`);
  }
  if (!Array.isArray(conf.plugins) || conf.plugins.length === 0) throw invalidArgument(`CNI config ${source} has no "plugins" (a single-plugin .conf is not supported; wrap it in a conflist)`);
  for (const [i, p] of conf.plugins.entries()) {
    if (typeof p !== 'object' || p === null || typeof (p as PluginConf).type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test((p as PluginConf).type)) {
      throw invalidArgument(`CNI config ${source}: plugins[${i}] has no valid "type" (a plugin binary name without "/")`);
    }
  }
  return { name: conf.name, cniVersion: conf.cniVersion, cniVersions: conf.cniVersions, disableCheck: conf.disableCheck === true, plugins: conf.plugins as PluginConf[] };
}

/** Every binary the list runs: each plugin's type and its delegated IPAM type. */
export function pluginBinaries(list: ConfList): string[] {
  const names = list.plugins.flatMap((p) => [p.type, ...(typeof p.ipam?.type === 'string' ? [p.ipam.type] : [])]);
  return [...new Set(names)];
}

/** The Linux bridge the list's bridge plugin makes (the plugin's default is cni0), if its first plugin is `bridge`. */
export function bridgeOf(list: ConfList): string | undefined {
  const main = list.plugins[0]!;
  if (main.type !== 'bridge') return undefined;
  return typeof main.bridge === 'string' ? main.bridge : 'cni0';
}

/** The subnets the main plugin's IPAM hands out (host-local `ranges` or `subnet`). */
export function ipamSubnets(list: ConfList): string[] {
  const ipam = list.plugins[0]!.ipam;
  if (!ipam) return [];
  const ranges = Array.isArray(ipam.ranges) ? (ipam.ranges as { subnet?: unknown }[][]).flat() : [];
  return [...ranges.map((r) => r.subnet), ipam.subnet].filter((s): s is string => typeof s === 'string');
}

/** The request one plugin gets on stdin. */
export function pluginRequest(list: ConfList, plugin: PluginConf, version: string, capabilityArgs: Json, prevResult?: Json): Json {
  const { capabilities, ...rest } = plugin;
  const runtimeConfig = Object.fromEntries(Object.entries(capabilityArgs).filter(([key]) => capabilities?.[key] === true));
  return {
    ...rest,
    cniVersion: version,
    name: list.name,
    ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}),
    ...(prevResult ? { prevResult } : {}),
  };
}
