/**
 * The host's IPv4 routes, which an auto-picked subnet must not overlap: a
 * bridge on a subnet the host already routes elsewhere (a LAN, a VPN) would
 * cut the host off from it.
 */
import type { Executor } from '@ctrnet/core';
import { CtrnetError, isValidCidr } from '@ctrnet/core';
import createDebug from 'debug';

const debug = createDebug('ctrnet:ipam-default:host-routes');

/** Every IPv4 route of every table, as JSON. */
export const ROUTE_LIST_ARGV: readonly string[] = ['ip', '-j', '-4', 'route', 'show', 'table', 'all'];

/** One entry of `ip -j route` output; only the fields we read. */
interface RouteEntry {
  dst?: string;
  table?: string;
}

/**
 * The destinations an auto-picked subnet must avoid, from `ip -j -4 route`
 * output. Skipped: default routes (they overlap everything), and the `local`
 * table, which only holds the host's own addresses and broadcast addresses,
 * each already covered by the route of its subnet in `main`. A bare address
 * is a /32 route.
 */
export function parseHostRoutes(stdout: string): string[] {
  if (stdout.trim() === '') return [];
  let entries: unknown;
  try {
    entries = JSON.parse(stdout);
  } catch (err) {
    throw new CtrnetError('EXEC_FAILED', `${ROUTE_LIST_ARGV.join(' ')} printed something that is not JSON; check that iproute2 supports -j (iproute2 4.13 or later)`, { cause: err });
  }
  if (!Array.isArray(entries)) {
    throw new CtrnetError('EXEC_FAILED', `${ROUTE_LIST_ARGV.join(' ')} printed JSON that is not a list of routes; check the iproute2 version`);
  }
  const routes: string[] = [];
  for (const entry of entries as RouteEntry[]) {
    const dst = entry?.dst;
    if (typeof dst !== 'string' || dst === 'default' || entry.table === 'local') continue;
    const cidr = dst.includes('/') ? dst : `${dst}/32`;
    if (isValidCidr(cidr)) routes.push(cidr);
    else debug('ignoring route with unexpected dst %o', dst);
  }
  return routes;
}

/** Read the host's routes through the executor. */
export async function readHostRoutes(exec: Executor): Promise<string[]> {
  const { stdout } = await exec.run(ROUTE_LIST_ARGV);
  const routes = parseHostRoutes(stdout);
  debug('host routes to avoid: %o', routes);
  return routes;
}
