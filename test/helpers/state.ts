/**
 * The store as the CLI reports it (`ps -a`, `network ls`, `inspect`,
 * `events`), typed for e2e checks; snapshots of store and kernel to compare
 * before/after an operation; and an audit that compares the store with what
 * is really in the kernel.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { CtrnetEnv } from '@ctrnet/testkit';
import { containerNetns, iptablesRules, links, nftRuleset, userBridges, vethLinks } from './kernel.js';

export interface PsEntry {
  Id: string;
  Name: string;
  Status: string;
  NetworkMode: string;
  IPs: string[];
  Ports: { HostIp: string; HostPort: number; ContainerPort: number; Protocol: string }[];
  Command: string[];
}

export interface NetworkEntry {
  Name: string;
  Id: string;
  Driver: string;
  Subnet: string;
  Gateway: string;
  Internal: boolean;
  Containers: number;
}

export interface Inspect {
  Id: string;
  Name: string;
  State: { Status: string; Pid: number; ExitCode: number };
  Config: { Hostname: string; Env: string[] };
  NetworkSettings: {
    SandboxKey: string;
    Networks: Record<string, { IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string; NetworkID: string; EndpointID: string }>;
  };
}

export async function ps(env: CtrnetEnv): Promise<PsEntry[]> {
  return JSON.parse(await env.ok('ps', '-a', '--format', 'json')) as PsEntry[];
}

export async function networks(env: CtrnetEnv): Promise<NetworkEntry[]> {
  return JSON.parse(await env.ok('network', 'ls', '--format', 'json')) as NetworkEntry[];
}

export async function inspect(env: CtrnetEnv, name: string): Promise<Inspect> {
  return (JSON.parse(await env.ok('inspect', name)) as Inspect[])[0]!;
}

/** The first IPv4 address of a container ('' when it has none). */
export async function ipOf(env: CtrnetEnv, name: string): Promise<string> {
  return Object.values((await inspect(env, name)).NetworkSettings.Networks)[0]?.IPAddress ?? '';
}

/** Ids of every container this installation ever created, from the event journal. */
export async function containerIdsEverCreated(env: CtrnetEnv): Promise<string[]> {
  const out = await env.ok('events', '--no-follow', '--format', 'json', '--filter', 'event=container.create');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { actor: { id: string } }).actor.id);
}

/**
 * PIDs of processes whose argv contains `marker` as one whole word, leaving
 * out `sh` and `tini`: a detached container's supervisor and its PID 1's
 * parent carry the command's words too.
 */
export function pidsWithArg(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0] !== 'sh' && argv[0] !== 'tini' && argv.includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** What {@link audit} should also look for. */
export interface AuditOptions {
  /** Host ports whose DNAT rules must exist exactly while a running container publishes them. */
  ports?: number[];
  /** Subnets whose firewall rules must exist exactly while a network has them. */
  subnets?: string[];
  /** A word of container commands: exactly one process per running container whose command has it carries it. */
  processMarker?: string;
}

/**
 * Compare the store with the kernel; one line per mismatch. Checks: host
 * veths are exactly those of running containers' endpoints; `ctr-*` bridges
 * exactly those of user networks; every container ever created has its
 * namespace exactly while it runs; stopped containers hold no ports; the
 * watched ports' rules exist exactly while published; processes exist
 * exactly for running containers.
 */
export async function audit(env: CtrnetEnv, opts: AuditOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const [containers, nets, everCreated, namespaces, veths, bridges, rules] = await Promise.all([
    ps(env),
    networks(env),
    containerIdsEverCreated(env),
    containerNetns(),
    vethLinks(env.host),
    userBridges(env.host),
    Promise.all([nftRuleset(env.host), iptablesRules(env.host)]).then((r) => r.join('\n')),
  ]);
  const running = containers.filter((c) => c.Status === 'running');
  const views = await Promise.all(running.map((c) => inspect(env, c.Id)));

  // Only bridge networks give an endpoint a host-side veth (none, host and container: have none).
  const bridgeNets = new Set(nets.filter((n) => n.Driver === 'bridge').map((n) => n.Id));
  const wantVeths = views.flatMap((v) =>
    Object.values(v.NetworkSettings.Networks)
      .filter((n) => n.EndpointID && bridgeNets.has(n.NetworkID))
      .map((n) => `vc${n.EndpointID.slice(0, 13)}`),
  );
  compareSets(problems, 'host veths', wantVeths, veths);

  const wantBridges = nets.filter((n) => n.Driver === 'bridge' && n.Name !== 'bridge').map((n) => `ctr-${n.Id.slice(0, 11)}`);
  compareSets(problems, 'user bridges', wantBridges, bridges);

  const ids = new Set([...everCreated, ...containers.map((c) => c.Id)]);
  for (const id of ids) {
    const c = containers.find((x) => x.Id === id);
    const ownNetns = c !== undefined && c.Status === 'running' && c.NetworkMode !== 'host' && !c.NetworkMode.startsWith('container:');
    const name = `ctrnet-${id.slice(0, 12)}`;
    if (namespaces.includes(name) !== ownNetns) problems.push(`netns ${name} ${ownNetns ? 'missing for running' : 'left behind by'} container ${c?.Name ?? `${id.slice(0, 12)} (no longer in the store)`}`);
  }

  for (const c of containers.filter((x) => x.Status !== 'running' && x.Ports.length)) problems.push(`${c.Status} container ${c.Name} still holds ports ${JSON.stringify(c.Ports)}`);
  for (const c of running) {
    if (!c.NetworkMode.startsWith('container:') && c.NetworkMode !== 'host' && c.NetworkMode !== 'none' && c.IPs.length === 0) problems.push(`running container ${c.Name} has no address`);
  }

  for (const subnet of opts.subnets ?? []) {
    const used = nets.some((n) => n.Subnet === subnet);
    if (used !== rules.includes(subnet)) problems.push(`subnet ${subnet}: ${used ? 'has a network but no firewall rules' : 'has firewall rules but no network'}`);
  }
  if (opts.ports?.length) {
    for (const port of opts.ports) {
      const published = running.some((c) => c.Ports.some((p) => p.HostPort === port));
      const inRules = new RegExp(`\\b${port}\\b`).test(rules);
      if (published !== inRules) problems.push(`host port ${port}: ${published ? 'published but has no rule' : 'has a rule but no running container publishes it'}`);
    }
  }

  if (opts.processMarker) {
    const pids = pidsWithArg(opts.processMarker);
    const alive = running.filter((c) => c.Command.includes(opts.processMarker!)).length;
    if (pids.length !== alive) problems.push(`${pids.length} process(es) carry "${opts.processMarker}" (pids ${pids.join(', ')}) but ${alive} container(s) with it run`);
  }
  return problems;
}

function compareSets(problems: string[], what: string, want: string[], have: string[]): void {
  const missing = want.filter((x) => !have.includes(x));
  const extra = have.filter((x) => !want.includes(x));
  if (missing.length) problems.push(`${what} missing: ${missing.join(', ')}`);
  if (extra.length) problems.push(`${what} leaked: ${extra.join(', ')}`);
}

/** Everything a failed command must not change, each as comparable text. */
export interface Snapshot {
  links: string;
  netns: string;
  iptables: string;
  ip6tables: string;
  nft: string;
  networks: string;
  containers: string;
}

/**
 * Kernel state of `env`'s host namespace plus its store's listings. The
 * namespaces are those of containers this installation ever created (the
 * event journal names them even after a rollback): other installations on
 * the machine come and go meanwhile.
 */
export async function snapshot(env: CtrnetEnv): Promise<Snapshot> {
  const [l, ns, ids, ipt, ipt6, nft, nets, containers] = await Promise.all([
    links(env.host),
    containerNetns(),
    containerIdsEverCreated(env),
    iptablesRules(env.host),
    iptablesRules(env.host, 6),
    nftRuleset(env.host),
    env.ok('network', 'ls', '--format', 'json'),
    env.ok('ps', '-a', '--format', 'json'),
  ]);
  const ours = ns.filter((name) => ids.some((id) => name === `ctrnet-${id.slice(0, 12)}`));
  return { links: l, netns: ours.join('\n'), iptables: ipt, ip6tables: ipt6, nft, networks: nets, containers };
}

/** What differs between two snapshots, one entry per part, as a short line-level diff. */
export function snapshotDiff(before: Snapshot, after: Snapshot): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(before) as (keyof Snapshot)[]) {
    const a = before[key].split('\n');
    const b = after[key].split('\n');
    const added = b.filter((line) => !a.includes(line));
    const removed = a.filter((line) => !b.includes(line));
    if (before[key] !== after[key]) {
      problems.push(`${key} changed:${added.map((l) => `\n  + ${l}`).join('')}${removed.map((l) => `\n  - ${l}`).join('')}${!added.length && !removed.length ? ' (order only)' : ''}`);
    }
  }
  return problems;
}
