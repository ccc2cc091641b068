/**
 * The host's routes, which an auto-picked subnet must not overlap: a bridge
 * on a subnet the host already routes elsewhere (a LAN, a VPN) would cut
 * the host off from it. Read per family: an IPv6 pick reads IPv6 routes.
 */
import type { Executor } from '@ctrnet/core';
import { CtrnetError, isValidCidr, isValidCidr6 } from '@ctrnet/core';
import createDebug from 'debug';

const debug = createDebug('ctrnet:ipam-default:host-routes');

/** Every route of one family in every table, as JSON. */
export const ROUTE_LIST_ARGV = {
  4: ['ip', '-j', '-4', 'route', 'show', 'table', 'all'],
  6: ['ip', '-j', '-6', 'route', 'show', 'table', 'all'],
} as const;

/** One entry of `ip -j route` output; only the fields we read. */
interface RouteEntry {
  dst?: string;
  table?: string;
}

/**
 * The destinations an auto-picked subnet must avoid, from `ip -j route`
 * output of `family`. Skipped: default routes (they overlap everything),
 * and the `local` table, which only holds the host's own addresses and
 * broadcast, anycast and multicast routes, each already covered by the route
 * of its subnet in `main`. A bare address is a host route (/32, /128).
 */
export function parseHostRoutes(stdout: string, family: 4 | 6 = 4): string[] {
  const argv = ROUTE_LIST_ARGV[family].join(' ');
  if (stdout.trim() === '') return [];
  let entries: unknown;
  try {
    entries = JSON.parse(stdout);
  } catch (err) {
    throw new CtrnetError('EXEC_FAILED', `${argv} printed something that is not JSON; check that iproute2 supports -j (iproute2 4.13 or later)`, { cause: err });
  }
  if (!Array.isArray(entries)) {
    throw new CtrnetError('EXEC_FAILED', `${argv} printed JSON that is not a list of routes; check the iproute2 version`);
  }
  const valid = family === 6 ? isValidCidr6 : isValidCidr;
  const routes: string[] = [];
  for (const entry of entries as RouteEntry[]) {
    const dst = entry?.dst;
    if (typeof dst !== 'string' || dst === 'default' || entry.table === 'local') continue;
    const cidr = dst.includes('/') ? dst : `${dst}/${family === 6 ? 128 : 32}`;
    if (valid(cidr)) routes.push(cidr);
    else debug('ignoring route with unexpected dst %o', dst);
  }
  return routes;
}

/** Read the host's routes of `family` through the executor. */
export async function readHostRoutes(exec: Executor, family: 4 | 6 = 4): Promise<string[]> {
  const { stdout } = await exec.run(ROUTE_LIST_ARGV[family]);
  const routes = parseHostRoutes(stdout, family);
  debug('host IPv%d routes to avoid: %o', family, routes);
  return routes;
}
