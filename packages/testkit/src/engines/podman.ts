/**
 * Podman 4.3 inside a fence. Podman has no daemon; it reads private config
 * only when told, through CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and
 * CONTAINERS_REGISTRIES_CONF, so each call gets files in the fence's temp
 * dir that move storage, network configs, events and temp space there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import createDebug from 'debug';
import { CtrnetError } from '@ctrnet/core';
import type { ExecOutput } from '../netns.js';
import type { Fence, FenceExecOptions } from './fence.js';
import { BUSYBOX_IMAGE, type BusyboxImage } from './image.js';

const debug = createDebug('ctrnet:testkit:engines:podman');

/** Where Debian's containernetworking-plugins live. */
export const CNI_PLUGIN_DIR = '/usr/lib/cni';

/**
 * This sandbox lacks CAP_SYS_RESOURCE: Podman's default rlimits (nofile and
 * nproc 1048576) make the runtime fail with "error setting rlimits".
 */
const ULIMITS = ['nofile=4096:4096', 'nproc=4096:4096'];

/** Subcommands that take `--cgroup-parent`. */
const CGROUP_PARENT_COMMANDS = [['run'], ['create'], ['container', 'run'], ['container', 'create'], ['pod', 'create']];

/** Options for {@link preparePodman}. */
export interface PodmanOptions {
  /** Podman's network stack (default `'cni'`). */
  networkBackend?: 'cni' | 'netavark';
  /** Directories of the caller's own CNI plugins, searched before {@link CNI_PLUGIN_DIR}. */
  cniPluginDirs?: string[];
  /** containers-storage driver (default `'overlay'`). */
  storageDriver?: 'overlay' | 'vfs';
  /** OCI runtime (default `'crun'`, Podman's own default). */
  runtime?: 'crun' | 'runc';
}

/** Podman, configured for one fence. */
export interface Podman {
  /** The backend `podman info` reports. */
  networkBackend: 'cni' | 'netavark';
  /** `network_config_dir`: CNI conflists or netavark network files; a path in the temp dir, the same inside and out. */
  networkConfigDir: string;
  /** Milliseconds the first `podman info` took. */
  startMs: number;
  /**
   * Runs podman inside the fence. `run`, `create` and `pod create` get
   * `--cgroup-parent=<fence cgroup>/podman` unless given one: containers.conf
   * has no such key, and the default /libpod_parent would land on the host.
   */
  podman(args: readonly string[], opts?: FenceExecOptions): Promise<ExecOutput>;
  /** `podman import`s the image's rootfs tar; resolves to the full name to run (`localhost/local/busybox:1`). */
  importImage(image: BusyboxImage): Promise<string>;
}

/**
 * Writes Podman's private config into `<fence dir>/podman-<backend>/` and
 * checks Podman answers with it; containers are removed at fence teardown.
 * Preparing again with the same backend reuses that directory (images stay)
 * and rewrites its config, which earlier handles then use too.
 */
export async function preparePodman(fence: Fence, opts: PodmanOptions = {}): Promise<Podman> {
  const backend = opts.networkBackend ?? 'cni';
  // One directory per backend: their storage and network files do not mix.
  const dir = fence.path(`podman-${backend}`);
  const networkConfigDir = `${dir}/networks`;
  for (const d of ['storage', 'run', 'tmp', 'libpod', 'networks']) mkdirSync(`${dir}/${d}`, { recursive: true });
  const env = {
    CONTAINERS_CONF: `${dir}/containers.conf`,
    CONTAINERS_STORAGE_CONF: `${dir}/storage.conf`,
    CONTAINERS_REGISTRIES_CONF: `${dir}/registries.conf`,
    TMPDIR: `${dir}/tmp`,
  };
  writeFileSync(env.CONTAINERS_CONF, containersConf(dir, backend, networkConfigDir, opts));
  writeFileSync(env.CONTAINERS_STORAGE_CONF, toml({ storage: { driver: opts.storageDriver ?? 'overlay', graphroot: `${dir}/storage`, runroot: `${dir}/run` } }));
  // No registries at all: nothing may be pulled from outside.
  writeFileSync(env.CONTAINERS_REGISTRIES_CONF, '');

  const podman = (args: readonly string[], execOpts: FenceExecOptions = {}): Promise<ExecOutput> =>
    fence.exec(['podman', ...withCgroupParent(args, `${fence.cgroupParent}/podman`)], { ...execOpts, env: { ...env, ...execOpts.env } });

  const started = Date.now();
  const reported = (await podman(['info', '--format', '{{.Host.NetworkBackend}}'])).stdout.trim();
  const startMs = Date.now() - started;
  if (reported !== backend) {
    throw new CtrnetError('INVALID_STATE', `podman in fence ${fence.name} uses network backend "${reported}", not "${backend}"; check ${env.CONTAINERS_CONF}`);
  }
  fence.defer('remove podman containers', () => podman(['rm', '--all', '--force', '--time', '0'], { reject: false }));
  debug('podman ready in %d ms (%s)', startMs, backend);
  return {
    networkBackend: backend,
    networkConfigDir,
    startMs,
    podman,
    importImage: async (image) => {
      await podman(['import', image.rootfsTar, BUSYBOX_IMAGE]);
      return `localhost/${BUSYBOX_IMAGE}`;
    },
  };
}

/** Inserts `--cgroup-parent` after the subcommand when it takes one and none is given. */
export function withCgroupParent(args: readonly string[], parent: string): string[] {
  const sub = CGROUP_PARENT_COMMANDS.find((cmd) => cmd.every((word, i) => args[i] === word));
  if (!sub || args.some((a) => a === '--cgroup-parent' || a.startsWith('--cgroup-parent='))) return [...args];
  return [...args.slice(0, sub.length), `--cgroup-parent=${parent}`, ...args.slice(sub.length)];
}

function containersConf(dir: string, backend: string, networkConfigDir: string, opts: PodmanOptions): string {
  return toml({
    containers: { default_ulimits: ULIMITS },
    network: { network_backend: backend, network_config_dir: networkConfigDir, cni_plugin_dirs: [...(opts.cniPluginDirs ?? []), CNI_PLUGIN_DIR] },
    engine: {
      cgroup_manager: 'cgroupfs',
      // journald is not reachable from the fence (and would be the host's).
      events_logger: 'file',
      events_logfile_path: `${dir}/events.log`,
      tmp_dir: `${dir}/libpod`,
      runtime: opts.runtime ?? 'crun',
    },
  });
}

/** Tables of strings and string lists as TOML; JSON string escapes are valid TOML basic strings. */
function toml(tables: Record<string, Record<string, string | string[]>>): string {
  return Object.entries(tables)
    .map(([name, keys]) => `[${name}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n')}\n`)
    .join('\n');
}
