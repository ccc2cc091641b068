/**
 * Reading what a plugin left in a namespace, through `ip -j`, in shapes the
 * suites compare with deep equality.
 */
import { execIn, type NetnsRef } from '../netns.js';

/** One interface as `ip -j -d addr show` prints it (the fields the suites read). */
export interface LinkView {
  ifname: string;
  address?: string;
  flags: string[];
  linkinfo?: { info_kind?: string };
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string; tentative?: boolean; dadfailed?: boolean }>;
}

/** Every interface of `ns`, with details and addresses. */
export async function readLinks(ns: NetnsRef): Promise<LinkView[]> {
  return JSON.parse((await execIn(ns, ['ip', '-j', '-d', 'addr', 'show'])).stdout) as LinkView[];
}

/**
 * A namespace's interfaces as `name kind` lines, sorted: what "nothing left
 * behind" compares. States, counters and MAC addresses may change legitimately
 * (a parent interface's carrier, say); which interfaces exist may not.
 */
export async function linkInventory(ns: NetnsRef): Promise<string[]> {
  return (await readLinks(ns)).map((l) => `${l.ifname} ${l.linkinfo?.info_kind ?? '-'}`).sort();
}

/**
 * Interfaces, IPv4 addresses and routes of every table: what a driver that
 * claims to change nothing (host, shared sandboxes) must leave untouched.
 */
export async function namespaceSnapshot(ns: NetnsRef): Promise<{ links: string[]; addresses: string[]; routes: string[] }> {
  const links = await readLinks(ns);
  const routes = JSON.parse((await execIn(ns, ['ip', '-j', '-4', 'route', 'show', 'table', 'all'])).stdout) as Array<Record<string, unknown>>;
  return {
    links: links.map((l) => `${l.ifname} ${l.linkinfo?.info_kind ?? '-'} ${l.flags.includes('UP') ? 'up' : 'down'}`).sort(),
    addresses: links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`)).sort(),
    routes: routes.map((r) => `${String(r.table ?? 'main')} ${String(r.dst)} ${String(r.gateway ?? '')} ${String(r.dev ?? '')}`).sort(),
  };
}

/** Next hops of the default routes of a family in the main table of `ns`. */
export async function defaultGateways(ns: NetnsRef, family: 4 | 6 = 4): Promise<string[]> {
  const routes = JSON.parse((await execIn(ns, ['ip', '-j', `-${family}`, 'route', 'show', 'default'])).stdout) as Array<{ gateway?: string }>;
  return routes.map((r) => r.gateway ?? '(none)');
}

/** A sysctl's value as the namespace sees it (`net.ipv6.conf.eth0.disable_ipv6`), undefined when the key does not exist. */
export async function sysctlValue(ns: NetnsRef, key: string): Promise<string | undefined> {
  const out = await execIn(ns, ['sysctl', '-n', key], { reject: false });
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}
