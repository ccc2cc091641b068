/**
 * The mounts that turn a fresh mount namespace into a fence: built as plain
 * argv lists from the host's mount table, applied by `fence.ts`. Kept pure
 * so the plan can be checked without root.
 */
import { join } from 'node:path';

/**
 * Host directories an engine writes to, each shadowed inside the fence by an
 * overlay whose upper layer lives in the fence's temp dir. Found by running
 * every engine and listing what changed on the host: `/run` (docker/plugins,
 * containerd/s, netns, crun), `/var/lib` (cni, containers), `/var/cache`
 * (Podman's short-name-aliases lock), `/etc` (docker/key.json, cni/net.d) and
 * `/opt` (the containerd "opt" plugin creates /opt/containerd even for the
 * containerd dockerd starts itself, where no config can move it).
 */
export const OVERLAID_DIRS = ['/etc', '/opt', '/run', '/var'] as const;

/** Where `ip netns add` keeps named network namespaces (bind mounts of nsfs files). */
export const NETNS_DIR = '/run/netns';

/** Where the host's {@link NETNS_DIR} stays visible inside a fence, relative to the temp dir. */
export const HOST_NETNS_SUBDIR = 'host-netns';

/** Where cgroup hierarchies are mounted on a systemd-style host. */
const CGROUP_ROOT = '/sys/fs/cgroup';

/** One line of /proc/self/mounts. */
export interface MountEntry {
  source: string;
  target: string;
  type: string;
  options: string;
}

/** Parses /proc/self/mounts; octal escapes (`\040` for a space) are decoded. */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [source = '', target = '', type = '', options = ''] = line.split(' ');
      return { source: unescape(source), target: unescape(target), type, options };
    });
}

/** A symlink under /sys/fs/cgroup (e.g. `cpu -> cpu,cpuacct`), recreated inside the fence. */
export interface CgroupLink {
  path: string;
  target: string;
}

/** The overlay layers of one shadowed directory, all inside the fence's temp dir. */
export interface OverlayLayers {
  lower: string;
  upper: string;
  work: string;
}

/** Upper and work dirs for each of {@link OVERLAID_DIRS}, under `<dir>/overlay/<name>/`. */
export function overlayLayers(dir: string): OverlayLayers[] {
  return OVERLAID_DIRS.map((lower) => {
    const base = join(dir, 'overlay', lower.slice(1).replaceAll('/', '_'));
    return { lower, upper: join(base, 'upper'), work: join(base, 'work') };
  });
}

/**
 * The commands run inside the fence's new mount namespace, in order. Every
 * mount uses `-n` so the host's /run/mount/utab never hears of it.
 *
 * - When the host has /run/netns: a recursive bind of it at
 *   `<dir>/host-netns`, made before /run is overlaid. An overlay does not
 *   show the mounts below its lower dir, so inside the fence
 *   /run/netns/NAME is an empty file, not a namespace; the bind keeps the
 *   host's namespaces reachable (a bind of a slave mount is a slave too, so
 *   namespaces added later show up) without letting an engine create its own
 *   there.
 * - The overlays of {@link overlayLayers}.
 * - A fresh sysfs instead of the host's, as `ip netns exec` does (the old
 *   one detached, so its cgroup submounts leave the mount table too):
 *   /sys/class/net then lists the fence's own interfaces, so an engine
 *   writing to /sys/class/net/X cannot reach a host interface. The detach
 *   stays inside: the fence's mounts are slaves of the host's.
 * - The fresh sysfs hides /sys/fs/cgroup, and dockerd then fails with
 *   "Devices cgroup isn't mounted": the host's hierarchies are mounted again
 *   (mounting a v1 hierarchy with the same options attaches the existing one).
 *   On a hybrid host the cgroup2 "unified" mount is left out on purpose: crun
 *   1.8 refuses hybrid mode when cgroup2 has controllers ("cgroups in hybrid
 *   mode not supported, drop all controllers from cgroupv2"), and nothing
 *   else needs it.
 */
export function fenceMountPlan(dir: string, hostMounts: readonly MountEntry[], cgroupLinks: readonly CgroupLink[], hostHasNetnsDir: boolean): string[][] {
  const plan: string[][] = [];
  if (hostHasNetnsDir) plan.push(['mount', '-n', '--rbind', NETNS_DIR, join(dir, HOST_NETNS_SUBDIR)]);
  for (const { lower, upper, work } of overlayLayers(dir)) {
    plan.push(['mount', '-n', '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, lower]);
  }
  plan.push(['umount', '-n', '-l', '/sys'], ['mount', '-n', '-t', 'sysfs', 'sysfs', '/sys']);
  const unified = hostMounts.find((m) => m.type === 'cgroup2' && m.target === CGROUP_ROOT);
  if (unified) {
    plan.push(['mount', '-n', '-t', 'cgroup2', '-o', unified.options, 'cgroup2', CGROUP_ROOT]);
    return plan;
  }
  const v1 = hostMounts.filter((m) => m.type === 'cgroup' && m.target.startsWith(`${CGROUP_ROOT}/`));
  if (v1.length === 0) return plan;
  plan.push(['mount', '-n', '-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', CGROUP_ROOT]);
  plan.push(['mkdir', '-p', ...v1.map((m) => m.target)]);
  for (const m of v1) plan.push(['mount', '-n', '-t', 'cgroup', '-o', m.options, 'cgroup', m.target]);
  for (const link of cgroupLinks) plan.push(['ln', '-s', link.target, link.path]);
  return plan;
}

/** Characters that would break the comma- and colon-separated overlay options. */
const UNSAFE_OVERLAY_PATH = /[,:\s\\]/;

/** Why `dir` cannot hold a fence, or undefined when it can. */
export function fenceDirProblem(dir: string): string | undefined {
  if (UNSAFE_OVERLAY_PATH.test(dir)) return `temp dir ${dir} contains a comma, colon, space or backslash, which overlayfs options cannot carry`;
  // Inside the fence such a dir would show the overlay's view, not the files the test writes.
  const shadowed = OVERLAID_DIRS.find((d) => dir === d || dir.startsWith(`${d}/`));
  if (shadowed) return `temp dir ${dir} lies under ${shadowed}, which the fence shadows with an overlay`;
  return undefined;
}
