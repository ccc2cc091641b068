import type { Command } from 'commander';
import { invalidArgument, type ContainerSummary } from '@ctrnet/core/api';
import { formatListing } from '../format.js';
import { CONTAINER_FILTER_KEYS, CONTAINER_HEADERS, DEFAULT_CONTAINER_COLUMNS, containerFilter, containerRow, newestFirst } from '../listing/container-rows.js';
import { parseFilters } from '../listing/filters.js';
import { json } from '../output.js';
import type { Form } from '../program.js';
import { collect, withApi, type UseApi } from '../session.js';

export interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  filter?: string[];
  trunc: boolean;
  format?: string;
  last?: string;
  latest?: boolean;
}

/** `ps` (and `container ls|list|ps`): Docker's columns, filters and formats. */
export function registerPsCommand(parent: Command, _result: unknown, form: Form): void {
  const command = form === 'top' ? parent.command('ps') : parent.command('ls').aliases(['list', 'ps']);
  command
    .description('list containers (running ones; -a for all)')
    .option('-a, --all', 'show all containers, not only running ones')
    .option('-q, --quiet', 'print container ids only')
    .option('-f, --filter <key=value>', `filter: ${CONTAINER_FILTER_KEYS.join(', ')} (repeatable; same key: any, different keys: all)`, collect)
    .option('--no-trunc', 'do not truncate ids and commands')
    .option('--format <format>', 'table (default), json, "table TEMPLATE" or a Go template per container')
    .option('-n, --last <n>', 'show the n last created containers (all states)')
    .option('-l, --latest', 'show the last created container (all states)')
    .action(async (opts: PsOptions, cmd: Command) => listContainers(opts, (work) => withApi(cmd, work)));
}

/** The body of `ps` (also the fast path's, src/fast). */
export async function listContainers(opts: PsOptions, use: UseApi): Promise<void> {
  const filters = parseFilters(opts.filter ?? [], CONTAINER_FILTER_KEYS);
  const wanted = containerFilter(filters);
  const last = opts.latest ? 1 : count(opts.last);
  // Like Docker: a status filter, -n and -l look at stopped containers too.
  const all = Boolean(opts.all) || filters.has('status') || filters.has('exited') || last !== undefined;
  const listed = await use((api) => api.call('container.list', { all }));
  let containers = listed.filter(wanted).sort(newestFirst);
  if (last !== undefined) containers = containers.slice(0, last);
  process.stdout.write(await render(containers, opts));
}

function count(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw invalidArgument(`invalid --last ${JSON.stringify(value)}: expected a whole number`);
  // Docker: -n 0 or less means no limit (like -a).
  return Number(value) || undefined;
}

async function render(containers: ContainerSummary[], opts: PsOptions): Promise<string> {
  const truncate = opts.trunc;
  // Docker: -q replaces the default table, not a format the user gave.
  if (opts.quiet && (opts.format === undefined || opts.format === 'table')) {
    return containers.map((c) => `${truncate ? c.Id.slice(0, 12) : c.Id}\n`).join('');
  }
  const now = Date.now();
  return formatListing(opts.format, {
    rows: containers.map((c) => containerRow(c, truncate, now)),
    headers: CONTAINER_HEADERS,
    columns: DEFAULT_CONTAINER_COLUMNS,
    json: () => json(containers.map(jsonShape)),
  });
}

/** `ps --format json`: ctrnet's array of containers (scripts and the test suite read it). */
function jsonShape(c: ContainerSummary) {
  return {
    Id: c.Id,
    Name: c.Name,
    Status: c.Status,
    ExitCode: c.ExitCode,
    NetworkMode: c.NetworkMode,
    Networks: c.Networks.map((n) => n.Name),
    IPs: c.IPs,
    Ports: c.Ports.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort, ContainerPort: b.containerPort, Protocol: b.protocol })),
    Labels: c.Labels,
    Command: c.Command,
    Created: c.Created,
  };
}
