/**
 * A read-only picture of the parts of the real host an engine would touch
 * if it escaped its fence: taken before and after a test, compared with
 * {@link hostChanges}. Only read-only commands run here. State other test
 * runs change legitimately (other namespaces' bind mounts, other fences'
 * cgroups) is left out so the comparison holds while they run in parallel.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execIn } from '../netns.js';
import { cgroupHierarchies } from './cgroups.js';

/** Where Docker, Podman, containerd, runc, crun and the CNI plugins keep state, config or sockets by default. */
export const ENGINE_HOST_PATHS = [
  '/run/docker', '/run/docker.sock', '/run/containerd', '/run/podman', '/run/libpod', '/run/containers',
  '/run/crun', '/run/runc', '/run/cni', '/run/mount/utab',
  '/var/lib/docker', '/var/lib/containerd', '/var/lib/containers', '/var/lib/cni', '/var/cache/containers',
  '/etc/docker', '/etc/containerd', '/etc/containers', '/etc/cni', '/opt/containerd', '/opt/cni',
  '/root/.docker', '/root/.config/containers', '/root/.local/share/containers',
];

/** Directories whose top level is compared too: they catch an engine path missing from the list above. */
const WATCHED_DIRS = ['/etc', '/opt', '/var', '/var/lib', '/var/cache'];

/** Namespace names the engines give their sandboxes in /run/netns (Podman `netns-<uuid>`, CRI `cni-<uuid>`). */
const ENGINE_NETNS = /^(netns|cni)-/;

/** Other fences' cgroups come and go with their tests; each fence checks its own through `Fence.traces()`. */
const FENCE_CGROUP = /^ctt-fence-/;

const SYSCTLS = ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding', 'net/ipv4/conf/all/route_localnet', 'net/bridge/bridge-nf-call-iptables'];

const FIREWALL_DUMPS = [['iptables-save'], ['ip6tables-save'], ['nft', 'list', 'ruleset']];

/** See the module comment. Values are plain strings and lists so a diff is easy to read. */
export interface HostSnapshot {
  /** Each existing path of {@link ENGINE_HOST_PATHS} and {@link WATCHED_DIRS}: its entries (recursive for the former). */
  files: Record<string, string[]>;
  /** The host's mount table without nsfs mounts (named network namespaces come and go). */
  mounts: string[];
  /** `<hierarchy>/<name>` of every top-level cgroup, other fences' excluded. */
  cgroups: string[];
  /** Engine-style names in /run/netns. */
  netns: string[];
  /** iptables-save, ip6tables-save and nft list ruleset of the real host, comment lines dropped. */
  firewall: Record<string, string>;
  /** A few forwarding sysctls of the real host. */
  sysctls: Record<string, string>;
  /** Interface names of the real host. */
  links: string[];
}

/** Takes a {@link HostSnapshot} (root needed for the firewall dumps). */
export async function snapshotHost(): Promise<HostSnapshot> {
  const files: Record<string, string[]> = {};
  for (const path of ENGINE_HOST_PATHS) if (exists(path)) files[path] = listTree(path);
  for (const dir of WATCHED_DIRS) files[`${dir}/`] = readdirSync(dir).sort();
  const firewall: Record<string, string> = {};
  for (const argv of FIREWALL_DUMPS) {
    const out = await execIn(undefined, argv, { reject: false });
    // iptables-save stamps every table with the time it was dumped.
    firewall[argv.join(' ')] = `${out.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n')}${out.exitCode ? ` (exit ${out.exitCode}: ${out.stderr.trim()})` : ''}`;
  }
  const links = (await execIn(undefined, ['ip', '-o', 'link', 'show'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(': ')[1]!.split('@')[0]!);
  return {
    files,
    mounts: readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l && !l.split(' ')[2]!.startsWith('nsfs')),
    cgroups: cgroupHierarchies().flatMap((h) => subdirs(h).filter((n) => !FENCE_CGROUP.test(n)).map((n) => `${h}/${n}`)),
    netns: exists('/run/netns') ? readdirSync('/run/netns').filter((n) => ENGINE_NETNS.test(n)).sort() : [],
    firewall,
    sysctls: Object.fromEntries(SYSCTLS.filter((s) => exists(`/proc/sys/${s}`)).map((s) => [s, readFileSync(`/proc/sys/${s}`, 'utf8').trim()])),
    links: links.sort(),
  };
}

/** What differs between two snapshots, one line per difference ("added /run/docker/x"); empty when nothing did. */
export function hostChanges(before: HostSnapshot, after: HostSnapshot): string[] {
  const changes: string[] = [];
  const lists = (what: string, a: readonly string[], b: readonly string[]): void => {
    for (const x of b) if (!a.includes(x)) changes.push(`${what}: added ${x}`);
    for (const x of a) if (!b.includes(x)) changes.push(`${what}: removed ${x}`);
  };
  for (const path of new Set([...Object.keys(before.files), ...Object.keys(after.files)])) {
    const [a, b] = [before.files[path], after.files[path]];
    if (a === undefined) changes.push(`file: created ${path}`);
    else if (b === undefined) changes.push(`file: deleted ${path}`);
    else lists(`in ${path}`, a, b);
  }
  lists('mount', before.mounts, after.mounts);
  lists('cgroup', before.cgroups, after.cgroups);
  lists('netns', before.netns, after.netns);
  lists('link', before.links, after.links);
  for (const key of Object.keys(before.firewall)) {
    if (before.firewall[key] !== after.firewall[key]) changes.push(`firewall: ${key} changed:\n${after.firewall[key]}`);
  }
  for (const key of Object.keys(before.sysctls)) {
    if (before.sysctls[key] !== after.sysctls[key]) changes.push(`sysctl: ${key} ${before.sysctls[key]} -> ${after.sysctls[key]}`);
  }
  return changes;
}

/**
 * {@link hostChanges} without what other ctrnet test runs on the machine
 * make and remove meanwhile (namespaces, links and cgroups named `ctt-…` or
 * `ctrnet…`, the machine's firewall they may touch), except what names
 * `fence`: an adapter suite running beside others checks only its engines'
 * traces. Everything an engine writes under /run, /var, /etc and /opt is
 * still reported.
 */
export function fenceHostChanges(fence: { name: string }, before: HostSnapshot, after: HostSnapshot): string[] {
  return hostChanges(before, after).filter((line) => line.includes(fence.name) || !/\b(ctt-|ctrnet)|^firewall: /.test(line));
}

/** Entries below `path`, relative, sorted; a file or socket gives `['.']`. Stops at 500 entries: enough to see a change. */
function listTree(path: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      if (out.length >= 500) return;
      const full = join(dir, name);
      out.push(join(rel, name));
      if (lstatSync(full).isDirectory()) walk(full, join(rel, name));
    }
  };
  if (lstatSync(path).isDirectory()) walk(path, '');
  else out.push('.');
  return out.sort();
}

function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
