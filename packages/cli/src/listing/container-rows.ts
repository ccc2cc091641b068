/**
 * `ps`: the rows Docker's container formatter gives a template (`.ID`,
 * `.Names`, `.Status`…, every value a string), the default columns, and the
 * filters. ctrnet has no images, so the default table is Docker's without
 * IMAGE, with the container's networks after its names.
 */
import { invalidArgument, type ContainerStatus, type ContainerSummary } from '@ctrnet/core/api';
import { portsColumn } from '../views.js';
import { labelMatch, matcher, regexpMatch, type Filters, type ValueTest } from './filters.js';
import { ago, goTime, statusText } from './time.js';

/** What `ps --format` templates see; the names and values of docker/cli's ContainerContext. */
export interface ContainerRow {
  ID: string;
  Names: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Ports: string;
  State: string;
  Status: string;
  Labels: string;
  Networks: string;
  Mounts: string;
  /** ctrnet's own: the container's addresses, comma-separated. */
  IPs: string;
  /** ctrnet's own: its network mode (`bridge`, `host`, `container:web`…). */
  NetworkMode: string;
}

/** Column titles of each field (Docker's, plus ours). */
export const CONTAINER_HEADERS: Readonly<Record<keyof ContainerRow, string>> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Labels: 'LABELS',
  Networks: 'NETWORKS',
  Mounts: 'MOUNTS',
  IPs: 'IP ADDRESSES',
  NetworkMode: 'NETWORK MODE',
};

/** The columns of plain `ps`. */
export const DEFAULT_CONTAINER_COLUMNS: readonly (keyof ContainerRow)[] = ['ID', 'Command', 'RunningFor', 'Status', 'Ports', 'Names', 'Networks'];

/** The COMMAND column's width before `…`, as docker/cli's `Ellipsis(command, 20)`. */
const COMMAND_WIDTH = 20;

/** docker/cli's formatter.Ellipsis: at most `width` characters, the last one `…` when cut. */
export function ellipsis(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return chars.slice(0, width - 1).join('') + '…';
}

/** A container as a `ps` template row; `truncate` is the opposite of `--no-trunc`. */
export function containerRow(c: ContainerSummary, truncate: boolean, now: number): ContainerRow {
  const command = c.Command.join(' ');
  return {
    ID: truncate ? c.Id.slice(0, 12) : c.Id,
    Names: c.Name,
    Command: JSON.stringify(truncate ? ellipsis(command, COMMAND_WIDTH) : command),
    CreatedAt: goTime(c.Created),
    RunningFor: ago(c.Created, now),
    Ports: portsColumn(c.Ports, c.Exposed),
    State: c.Status,
    Status: statusText(c, now),
    // Docker joins them in Go's random map order; sorted keys keep ours stable.
    Labels: Object.entries(c.Labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Networks: c.Networks.map((n) => n.Name).join(','),
    Mounts: '',
    IPs: c.IPs.join(','),
    NetworkMode: c.NetworkMode,
  };
}

/** Docker's container states; ctrnet never shows restarting or dead, but a filter on them is valid (and matches nothing). */
const STATES: readonly string[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'] satisfies readonly (ContainerStatus | 'restarting' | 'dead')[];

export const CONTAINER_FILTER_KEYS = ['id', 'name', 'label', 'status', 'network', 'exited'] as const;

const tests: Record<(typeof CONTAINER_FILTER_KEYS)[number], ValueTest<ContainerSummary>> = {
  id: (c, v) => regexpMatch(v, c.Id),
  name: (c, v) => regexpMatch(v, c.Name) || regexpMatch(v, `/${c.Name}`),
  label: (c, v) => labelMatch(c.Labels, v),
  status: (c, v) => c.Status === v,
  network: (c, v) => c.Networks.some((n) => n.Name === v || n.Id.startsWith(v)),
  exited: (c, v) => c.Status === 'exited' && c.ExitCode === Number(v),
};

/** The predicate of `ps --filter`; refuses values Docker refuses (an unknown status, a non-numeric exit code). */
export function containerFilter(filters: Filters): (c: ContainerSummary) => boolean {
  for (const v of filters.get('status') ?? []) {
    if (!STATES.includes(v)) throw invalidArgument(`invalid --filter "status=${v}": valid statuses are ${STATES.join(', ')}`);
  }
  for (const v of filters.get('exited') ?? []) {
    if (!/^\d+$/.test(v)) throw invalidArgument(`invalid --filter "exited=${v}": expected an exit code such as 0 or 137`);
  }
  for (const v of filters.get('network') ?? []) {
    if (!v) throw invalidArgument('invalid --filter "network=": expected a network name or id');
  }
  return matcher(filters, tests);
}

/** Docker's order: newest first; the id breaks ties so the order is stable. */
export function newestFirst(a: ContainerSummary, b: ContainerSummary): number {
  return b.Created.localeCompare(a.Created) || a.Id.localeCompare(b.Id);
}
