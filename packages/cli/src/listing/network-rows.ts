/**
 * `network ls`: the rows Docker's network formatter gives a template, the
 * default columns (Docker's NETWORK ID, NAME, DRIVER, SCOPE) and the filters.
 */
import { invalidArgument, type NetworkSummary } from '@ctrnet/core/api';
import { matcher, regexpMatch, type Filters, type ValueTest } from './filters.js';
import { goTime } from './time.js';

/** What `network ls --format` templates see: docker/cli's NetworkContext, plus ctrnet's own Subnet, Gateway, Containers. */
export interface NetworkRow {
  ID: string;
  Name: string;
  Driver: string;
  Scope: string;
  IPv4: string;
  IPv6: string;
  Internal: string;
  Labels: string;
  CreatedAt: string;
  Subnet: string;
  Gateway: string;
  Containers: string;
}

export const NETWORK_HEADERS: Readonly<Record<keyof NetworkRow, string>> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
  Subnet: 'SUBNET',
  Gateway: 'GATEWAY',
  Containers: 'CONTAINERS',
};

export const DEFAULT_NETWORK_COLUMNS: readonly (keyof NetworkRow)[] = ['ID', 'Name', 'Driver', 'Scope'];

/** Docker's predefined networks; every other network is `custom` for `--filter type=`. */
const BUILTIN = ['bridge', 'host', 'none'];

/** ctrnet's networks live on this host only: Docker's `local` scope. */
const SCOPE = 'local';

export function networkRow(n: NetworkSummary, truncate: boolean): NetworkRow {
  return {
    ID: truncate ? n.Id.slice(0, 12) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: SCOPE,
    IPv4: 'true',
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: '',
    CreatedAt: goTime(n.Created),
    Subnet: n.Subnet,
    Gateway: n.Gateway,
    Containers: String(n.Containers),
  };
}

export const NETWORK_FILTER_KEYS = ['id', 'name', 'driver', 'scope', 'type', 'dangling'] as const;

const tests: Record<(typeof NETWORK_FILTER_KEYS)[number], ValueTest<NetworkSummary>> = {
  id: (n, v) => regexpMatch(v, n.Id),
  name: (n, v) => regexpMatch(v, n.Name),
  driver: (n, v) => n.Driver === v,
  scope: (_n, v) => v === SCOPE,
  type: (n, v) => (v === 'builtin') === BUILTIN.includes(n.Name),
  // Docker: a network no container uses, the predefined ones excepted.
  dangling: (n, v) => (v === 'true' || v === '1') === (n.Containers === 0 && !BUILTIN.includes(n.Name)),
};

export function networkFilter(filters: Filters): (n: NetworkSummary) => boolean {
  for (const v of filters.get('type') ?? []) {
    if (v !== 'custom' && v !== 'builtin') throw invalidArgument(`invalid --filter "type=${v}": expected custom or builtin`);
  }
  for (const v of filters.get('dangling') ?? []) {
    if (!['true', 'false', '1', '0'].includes(v)) throw invalidArgument(`invalid --filter "dangling=${v}": expected true or false`);
  }
  return matcher(filters, tests);
}

/** Docker lists networks by name, in natural order (`net2` before `net10`). */
export function byName(a: NetworkSummary, b: NetworkSummary): number {
  return a.Name.localeCompare(b.Name, 'en', { numeric: true });
}

/** Whether a network is one of the predefined ones (never pruned). */
export function isBuiltinNetwork(n: Pick<NetworkSummary, 'Name'>): boolean {
  return BUILTIN.includes(n.Name);
}
