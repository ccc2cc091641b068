/**
 * dockerd 20.10 inside a fence: every path it would put on the host
 * (data root, exec root, pidfile, socket, key file, cgroups) is moved into
 * the fence's temp dir or its cgroup parent; what is left (/run/docker,
 * /etc/docker, the /opt/containerd its own containerd makes) lands in the
 * fence's overlays.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import createDebug from 'debug';
import type { ExecOutput } from '../netns.js';
import type { SpawnedProcess } from '../process.js';
import type { Fence, FenceExecOptions } from './fence.js';
import { BUSYBOX_IMAGE, type BusyboxImage } from './image.js';
import { waitUntil } from './waiting.js';

const debug = createDebug('ctrnet:testkit:engines:docker');

const DOCKERD = '/usr/sbin/dockerd';
/** Debian's 20.10 client. /usr/local/bin/docker (a 28.x client) shadows it in PATH on these machines. */
const DOCKER_CLI = '/usr/bin/docker';

/**
 * Where dockerd 20.10 looks for legacy plugins (it has no flag to move
 * them): sockets `NAME.sock` or `NAME/NAME.sock`, and spec files `NAME.spec`
 * (a URL such as `unix:///path.sock`) or `NAME.json`.
 */
export const DOCKER_PLUGIN_DIRS = { sockets: '/run/docker/plugins', specs: '/etc/docker/plugins' } as const;

const READY_TIMEOUT_MS = 30_000;
/** dockerd first stops its containerd; with no container left that takes well under this. */
const STOP_TIMEOUT_MS = 15_000;

/** Options for {@link startDockerd}. */
export interface DockerdOptions {
  /** `--iptables` (default true). */
  iptables?: boolean;
  /** `--bridge` (default Docker's own docker0); `'none'` for no default bridge. */
  bridge?: string;
  /** `--userland-proxy` (default true). */
  userlandProxy?: boolean;
  /** More dockerd flags, appended. */
  args?: string[];
}

/** A running dockerd in a fence. */
export interface Dockerd {
  /** The API socket, in the fence's temp dir. */
  socket: string;
  /** dockerd's PID. */
  pid: number;
  /** Milliseconds from spawn until the API answered `/_ping`. */
  startMs: number;
  /**
   * Host paths of the directories dockerd sees at {@link DOCKER_PLUGIN_DIRS}
   * inside the fence: a socket or spec file put here is found by
   * `docker network create -d NAME` / `--ipam-driver NAME`.
   */
  pluginDirs: { sockets: string; specs: string };
  /** Runs /usr/bin/docker against this daemon, inside the fence; rejects on a non-zero exit unless `reject: false`. */
  docker(args: readonly string[], opts?: FenceExecOptions): Promise<ExecOutput>;
  /** `docker import`s the image's rootfs tar as `local/busybox:1`; resolves to that name. */
  importImage(image: BusyboxImage): Promise<string>;
  /** dockerd's output so far. */
  output(): string;
  /** Removes every container, then stops dockerd (SIGTERM, SIGKILL after 15 s). Also run at fence teardown. */
  stop(): Promise<void>;
}

/** Starts dockerd in `fence` and waits until its API answers; stopped at fence teardown. */
export async function startDockerd(fence: Fence, opts: DockerdOptions = {}): Promise<Dockerd> {
  const dir = fence.path('docker');
  mkdirSync(dir, { recursive: true });
  const socket = `${dir}/docker.sock`;
  const configFile = `${dir}/daemon.json`;
  // 20.10 has no key-path flag; without this it writes /etc/docker/key.json.
  writeFileSync(configFile, JSON.stringify({ 'deprecated-key-path': `${dir}/key.json` }));
  const cliConfig = `${dir}/cli`;
  mkdirSync(cliConfig, { recursive: true });
  writeFileSync(`${cliConfig}/config.json`, '{}');
  const pluginDirs = { sockets: await fence.share(DOCKER_PLUGIN_DIRS.sockets), specs: await fence.share(DOCKER_PLUGIN_DIRS.specs) };

  const argv = [
    DOCKERD,
    `--data-root=${dir}/data`,
    `--exec-root=${dir}/exec`,
    `--pidfile=${dir}/docker.pid`,
    `--host=unix://${socket}`,
    `--config-file=${configFile}`,
    `--cgroup-parent=${fence.cgroupParent}/docker`,
    `--iptables=${opts.iptables ?? true}`,
    `--userland-proxy=${opts.userlandProxy ?? true}`,
    ...(opts.bridge !== undefined ? [`--bridge=${opts.bridge}`] : []),
    ...(opts.args ?? []),
  ];
  const started = Date.now();
  const proc = fence.spawn(argv);
  await waitUntil(() => ping(socket), { timeoutMs: READY_TIMEOUT_MS, process: proc, what: `dockerd (pid ${proc.pid}) answering on ${socket}` });
  const startMs = Date.now() - started;
  debug('dockerd pid %d ready in %d ms', proc.pid, startMs);

  const docker = (args: readonly string[], execOpts: FenceExecOptions = {}): Promise<ExecOutput> =>
    fence.exec([DOCKER_CLI, ...args], { ...execOpts, env: { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: cliConfig, ...execOpts.env } });
  const stop = (): Promise<void> => stopDockerd(docker, proc);
  fence.defer(`stop dockerd pid ${proc.pid}`, stop);
  return {
    socket,
    pid: proc.pid,
    startMs,
    pluginDirs,
    docker,
    importImage: async (image) => {
      await docker(['import', image.rootfsTar, BUSYBOX_IMAGE]);
      return BUSYBOX_IMAGE;
    },
    output: () => proc.output(),
    stop,
  };
}

/** Containers first (httpd ignores SIGTERM: dockerd would wait out each stop timeout), then the daemon. */
async function stopDockerd(docker: Dockerd['docker'], proc: SpawnedProcess): Promise<void> {
  if (proc.exited()) return;
  const ids = (await docker(['ps', '-aq'], { reject: false })).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await docker(['rm', '-f', ...ids], { reject: false });
  await proc.stop(STOP_TIMEOUT_MS);
}

/** True once dockerd answers GET /_ping on its socket. */
function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
