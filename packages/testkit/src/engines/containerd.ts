/**
 * containerd 1.6 inside a fence, with a private config (root, state,
 * sockets and the "opt" plugin's directory in the temp dir; CRI off) and
 * `ctr` bound to it. The containerd namespace is the fence's name, so the
 * default cgroup of a `ctr run` container, `/<namespace>/<id>`, is already
 * under the fence's cgroup parent.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import createDebug from 'debug';
import type { ExecOutput } from '../netns.js';
import type { SpawnedProcess } from '../process.js';
import type { Fence, FenceExecOptions } from './fence.js';
import { BUSYBOX_IMAGE, type BusyboxImage } from './image.js';
import { CNI_PLUGIN_DIR } from './podman.js';
import { waitUntil } from './waiting.js';

const debug = createDebug('ctrnet:testkit:engines:containerd');

/**
 * Where `ctr run --cni` looks for CNI config and plugins. ctr 1.6 calls
 * go-cni with its defaults (`gocni.New(gocni.WithDefaultConf)`): no flag,
 * no config key, no environment variable changes them, and it loads only the
 * first config file (lexical order) of the conf dir.
 */
export const CTR_CNI_DIRS = { conf: '/etc/cni/net.d', bin: '/opt/cni/bin' } as const;

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** A running containerd in a fence. */
export interface Containerd {
  /** The gRPC socket, in the fence's temp dir. */
  socket: string;
  pid: number;
  /** Milliseconds from spawn until the socket accepted a connection. */
  startMs: number;
  /** The containerd namespace `ctr` uses: the fence's name. */
  namespace: string;
  /**
   * Host paths of the directories `ctr run --cni` sees at {@link CTR_CNI_DIRS}
   * inside the fence. `confDir` starts empty (the host's /etc/cni/net.d is
   * hidden); `binDir` starts with links to every plugin in /usr/lib/cni, and
   * a caller may add its own plugins beside them.
   */
  cni: { confDir: string; binDir: string };
  /** Runs `ctr --address SOCKET --namespace NAME ...args` inside the fence. */
  ctr(args: readonly string[], opts?: FenceExecOptions): Promise<ExecOutput>;
  /** `ctr images import`s the image's OCI archive; resolves to its name, `docker.io/local/busybox:1`. */
  importImage(image: BusyboxImage): Promise<string>;
  output(): string;
  /** Kills and deletes every task and container of the namespace, then stops containerd. Also run at fence teardown. */
  stop(): Promise<void>;
}

/** Starts containerd in `fence` and waits until its socket accepts connections; stopped at fence teardown. */
export async function startContainerd(fence: Fence): Promise<Containerd> {
  const dir = fence.path('containerd');
  mkdirSync(dir, { recursive: true });
  const socket = `${dir}/containerd.sock`;
  const config = `${dir}/config.toml`;
  writeFileSync(config, configToml(dir, socket));
  const cni = { confDir: await fence.share(CTR_CNI_DIRS.conf), binDir: await fence.share(CTR_CNI_DIRS.bin) };
  for (const plugin of readdirSync(CNI_PLUGIN_DIR)) symlinkSync(join(CNI_PLUGIN_DIR, plugin), join(cni.binDir, plugin));

  const started = Date.now();
  const proc = fence.spawn(['containerd', '--config', config]);
  await waitUntil(() => accepts(socket), { timeoutMs: READY_TIMEOUT_MS, process: proc, what: `containerd (pid ${proc.pid}) listening on ${socket}` });
  const startMs = Date.now() - started;
  debug('containerd pid %d ready in %d ms', proc.pid, startMs);

  const namespace = fence.name;
  const ctr = (args: readonly string[], opts?: FenceExecOptions): Promise<ExecOutput> =>
    fence.exec(['ctr', '--address', socket, '--namespace', namespace, ...args], opts);
  const stop = (): Promise<void> => stopContainerd(ctr, proc);
  fence.defer(`stop containerd pid ${proc.pid}`, stop);
  return {
    socket,
    pid: proc.pid,
    startMs,
    namespace,
    cni,
    ctr,
    importImage: async (image) => {
      await ctr(['images', 'import', image.ociArchive]);
      return `docker.io/${BUSYBOX_IMAGE}`;
    },
    output: () => proc.output(),
    stop,
  };
}

/** Shims outlive containerd by design, so the tasks go first; then the daemon. */
async function stopContainerd(ctr: Containerd['ctr'], proc: SpawnedProcess): Promise<void> {
  if (proc.exited()) return;
  const tasks = (await ctr(['tasks', 'ls', '--quiet'], { reject: false })).stdout.split('\n').filter(Boolean);
  if (tasks.length > 0) await ctr(['tasks', 'delete', '--force', ...tasks], { reject: false });
  const containers = (await ctr(['containers', 'ls', '--quiet'], { reject: false })).stdout.split('\n').filter(Boolean);
  if (containers.length > 0) await ctr(['containers', 'delete', ...containers], { reject: false });
  await proc.stop(STOP_TIMEOUT_MS);
}

/**
 * Everything containerd would keep on the host moved into `dir`. The "opt"
 * plugin would create /opt/containerd; CRI is off because nothing here
 * needs Kubernetes' API and it would set up its own CNI and state dirs.
 */
function configToml(dir: string, socket: string): string {
  const q = JSON.stringify;
  return [
    'version = 2',
    `root = ${q(`${dir}/root`)}`,
    `state = ${q(`${dir}/state`)}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${q(socket)}`,
    '[ttrpc]',
    `  address = ${q(`${socket}.ttrpc`)}`,
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(`${dir}/opt`)}`,
    '',
  ].join('\n');
}

/** True once a unix-socket connection to `path` succeeds. */
function accepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
