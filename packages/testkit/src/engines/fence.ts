/**
 * A fence: a private mount namespace, inside a throwaway network namespace
 * that plays the host, where a real container engine can run as root
 * without leaving a trace on the machine. Whatever it writes under /etc,
 * /opt, /run or /var lands in overlay upper layers in a temp dir; the temp
 * dir itself has the same path inside and outside, so config files and
 * sockets put there are shared with the test.
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import createDebug from 'debug';
import { CtrnetError, ExecError, invalidArgument } from '@ctrnet/core';
import type { TestNamespaces } from '../namespaces.js';
import { netnsPath, type ExecOutput, type NetnsHandle, type NetnsRef } from '../netns.js';
import { spawnProcess, type SpawnedProcess, type SpawnOptions } from '../process.js';
import { runLogged, runPiped, spawnEnv, type FenceExecOptions } from './fence-commands.js';
import { cgroupHierarchies, cgroupLinks, removeCgroupTree } from './cgroups.js';
import { fenceDirProblem, fenceMountPlan, HOST_NETNS_SUBDIR, NETNS_DIR, overlayLayers, parseMounts } from './mounts.js';
import { fenceProcesses, reapFence, stillRunning, type FenceIdentity, type ProcessRef } from './reaper.js';

const debug = createDebug('ctrnet:testkit:engines:fence');

export type { FenceExecOptions };

/**
 * The process that holds the fence's mount namespace. `unshare` execs
 * `sleep`, so its PID is the one whose /proc/PID/ns/mnt every later command
 * enters. Slave propagation, as `ip netns exec` uses: the host's unmounts
 * still reach the fence, nothing mounted inside reaches the host.
 */
const HELPER_ARGV = ['unshare', '--mount', '--propagation', 'slave', '--', 'sleep', 'infinity'];

const READY_TIMEOUT_MS = 5000;

/** Options for {@link createFence}. */
export interface FenceOptions {
  /** Network namespace the fence lives in; default a fresh `tn.createHost()`. */
  host?: NetnsHandle;
}

/** A private mount namespace for container engines; see the module comment. Made by {@link createFence}. */
export class Fence {
  private readonly steps: Array<{ what: string; run: () => unknown }> = [];
  private readonly mountPoints: string[] = [];
  private readonly shares = new Map<string, string>();
  private mntNs: string | undefined;
  /** An open /proc/PID/ns/mnt: keeps the namespace, and so its number, ours until teardown has reaped everything. */
  private mntPin: number | undefined;
  /** Processes teardown could not kill, as seen then; after teardown the namespace number may belong to someone else. */
  private survivors: ProcessRef[] = [];
  private logCount = 0;
  private torn: Promise<void> | undefined;

  /** @internal use {@link createFence} */
  constructor(
    /** The network namespace playing the host: the engines' bridges, veths and firewall rules live here. */
    readonly host: NetnsHandle,
    /** The temp dir (`/tmp/ctt-fence-XXXXXX`): the same path inside the fence and out. */
    readonly dir: string,
    private readonly helper: SpawnedProcess,
  ) {}

  /** `ctt-fence-XXXXXX`: names the fence's cgroup parent and containerd namespace. */
  get name(): string {
    return basename(this.dir);
  }

  /** The cgroup every engine of this fence is pointed at, e.g. `/ctt-fence-Ab12Cd`; removed at teardown. */
  get cgroupParent(): string {
    return `/${this.name}`;
  }

  /** `join(dir, ...parts)`. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /**
   * The path of a network namespace as seen inside the fence, for an engine
   * or bundle that should join it (`netnsPath`, `--network ns:PATH`). Inside,
   * /run/netns is the fence's own (Podman puts its sandboxes there), so a
   * host namespace /run/netns/NAME is reached as `<dir>/host-netns/NAME`;
   * other paths (/proc/PID/ns/net) are the same inside.
   */
  netnsPath(ns: NetnsRef): string {
    const path = netnsPath(ns);
    return path.startsWith(`${NETNS_DIR}/`) ? this.path(HOST_NETNS_SUBDIR, path.slice(NETNS_DIR.length + 1)) : path;
  }

  /** argv prefixed with the nsenter that enters the fence; throws once the fence is gone. */
  argv(argv: readonly string[]): string[] {
    const pid = this.helper.pid;
    if (this.mntPin === undefined || this.helper.exited() || readNs(pid) !== this.mntNs) {
      // Entering a recycled PID's namespace could mean the real host's: refuse.
      throw new CtrnetError('INVALID_STATE', `fence ${this.name} is gone (helper pid ${pid} no longer holds its mount namespace); create a new fence`);
    }
    return ['nsenter', `--mount=/proc/${pid}/ns/mnt`, `--net=/proc/${pid}/ns/net`, '--', ...argv];
  }

  /**
   * Runs argv inside the fence. Rejects with an ExecError (argv, exit code,
   * stderr) on a non-zero exit unless `reject: false`. Relative paths resolve
   * against `/` there.
   */
  async exec(argv: readonly string[], opts: FenceExecOptions = {}): Promise<ExecOutput> {
    const full = this.argv(argv);
    debug('%s: %o', this.name, argv);
    const output = opts.background ? await runLogged(full, opts, this.path('logs', `${++this.logCount}-${basename(argv[0]!)}.log`)) : await runPiped(full, opts);
    if (output.exitCode !== 0 && opts.reject !== false) {
      throw new ExecError(full, output.exitCode, output.stderr, { input: opts.input });
    }
    return output;
  }

  /** Starts a long-running command inside the fence; stopped (SIGTERM, then SIGKILL) at teardown. */
  spawn(argv: readonly string[], opts: SpawnOptions = {}): SpawnedProcess {
    const proc = spawnProcess(undefined, this.argv(argv), { env: spawnEnv(opts.env) });
    this.defer(`stop pid ${proc.pid} (${argv[0]})`, () => proc.stop());
    return proc;
  }

  /**
   * Bind-mounts a fresh directory of the temp dir onto `fencePath` inside the
   * fence and returns its host path: what the test writes there (a socket, a
   * spec file) the engine sees at `fencePath`, and the host's own content of
   * `fencePath` is hidden. Sharing one path twice returns the same directory.
   */
  async share(fencePath: string): Promise<string> {
    if (!fencePath.startsWith('/')) throw invalidArgument(`fence path "${fencePath}" must be absolute, e.g. /run/docker/plugins`);
    const known = this.shares.get(fencePath);
    if (known) return known;
    const hostDir = this.path('shared', fencePath.slice(1).replaceAll('/', '_'));
    mkdirSync(hostDir, { recursive: true });
    await this.exec(['mkdir', '-p', fencePath]);
    await this.exec(['mount', '-n', '--bind', hostDir, fencePath]);
    this.mountPoints.push(fencePath);
    this.shares.set(fencePath, hostDir);
    return hostDir;
  }

  /** Runs `fn` at teardown, before leftovers are killed; the last deferred runs first. Launchers put their clean stop here. */
  defer(what: string, fn: () => unknown): void {
    this.steps.push({ what, run: fn });
  }

  /**
   * Live processes that belong to the fence (its mount namespace, its
   * cgroups, their children), the helper excluded; after teardown, those it
   * could not kill that still run.
   */
  leftovers(): number[] {
    if (this.mntPin === undefined) return stillRunning(this.survivors);
    return fenceProcesses(this.identity()).map((ref) => ref.pid);
  }

  /**
   * What the fence left after {@link teardown}, one line each: live
   * processes, cgroup directories, the temp dir. Empty when it left nothing.
   */
  traces(): string[] {
    const traces = this.leftovers().map((pid) => `process ${pid} (${readComm(pid) ?? '?'}) still runs`);
    for (const hierarchy of cgroupHierarchies()) {
      const dir = join(hierarchy, this.cgroupParent);
      if (existsSync(dir)) traces.push(`cgroup ${dir} still exists`);
    }
    if (existsSync(this.dir)) traces.push(`temp dir ${this.dir} still exists`);
    return traces;
  }

  /**
   * Deferred steps (engine stops) newest first, then every leftover process
   * killed by PID, the fence's mounts detached, the helper stopped, its
   * cgroups removed and the temp dir deleted. Never throws: failures are
   * printed so a leak is seen, and the remaining steps still run. Runs once;
   * `createFence` registers it with the TestNamespaces.
   */
  teardown(): Promise<void> {
    this.torn ??= this.runTeardown();
    return this.torn;
  }

  private async runTeardown(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await attempt(step.what, step.run);
    if (this.mntPin !== undefined) {
      await attempt('kill leftover processes', () => reapFence(this.identity()));
      for (const target of this.mountPoints.splice(0).reverse()) {
        await attempt(`unmount ${target}`, () => this.exec(['umount', '-n', '-l', target]));
      }
    }
    await attempt(`stop the fence helper pid ${this.helper.pid}`, () => this.helper.stop());
    if (this.mntPin !== undefined) {
      const identity = { ...this.identity(), spare: new Set<number>() };
      await attempt('kill leftover processes', () => reapFence(identity));
      this.survivors = fenceProcesses(identity);
      closeSync(this.mntPin);
      this.mntPin = undefined;
    }
    await attempt('remove cgroups', () => {
      const left = removeCgroupTree(this.cgroupParent);
      if (left.length > 0) throw new CtrnetError('INVALID_STATE', `cgroups ${left.join(', ')} are still in use; remove them with rmdir once empty`);
    });
    await attempt(`remove ${this.dir}`, () => rmSync(this.dir, { recursive: true, force: true }));
    debug('%s torn down', this.name);
  }

  /** @internal Waits until the helper has its own mount namespace, then builds the fence inside it. */
  async build(): Promise<void> {
    this.mntNs = await waitForOwnMountNs(this.helper);
    this.mntPin = openSync(`/proc/${this.helper.pid}/ns/mnt`, 'r');
    // Opened after the check: make sure the pin holds the namespace that was checked.
    if (readNs(this.helper.pid) !== this.mntNs) throw new CtrnetError('EXEC_FAILED', `fence helper pid ${this.helper.pid} changed mount namespace while starting`);
    for (const layer of overlayLayers(this.dir)) {
      mkdirSync(layer.upper, { recursive: true });
      mkdirSync(layer.work, { recursive: true });
    }
    const hostHasNetnsDir = existsSync(NETNS_DIR);
    if (hostHasNetnsDir) mkdirSync(this.path(HOST_NETNS_SUBDIR));
    const plan = fenceMountPlan(this.dir, parseMounts(readFileSync('/proc/self/mounts', 'utf8')), cgroupLinks(), hostHasNetnsDir);
    for (const argv of plan) {
      await this.exec(argv);
      if (argv[0] === 'mount') this.mountPoints.push(argv[argv.length - 1]!);
    }
    debug('%s ready: helper pid %d, %s', this.name, this.helper.pid, this.mntNs);
  }

  private identity(): FenceIdentity {
    return { mntNs: this.mntNs!, cgroupParent: this.cgroupParent, spare: new Set([this.helper.pid]) };
  }

}

/**
 * Makes a fence in `host` (default: a fresh host namespace from `tn`) and
 * registers its teardown with `tn`, so it goes at `tn.cleanup()` even when
 * the test failed, before the host namespace is deleted.
 */
export async function createFence(tn: TestNamespaces, opts: FenceOptions = {}): Promise<Fence> {
  const host = opts.host ?? (await tn.createHost());
  const dir = mkdtempSync(join(tmpdir(), 'ctt-fence-'));
  const problem = fenceDirProblem(dir);
  if (problem) {
    rmSync(dir, { recursive: true, force: true });
    throw invalidArgument(`${problem}; point TMPDIR at a plain directory such as /tmp`);
  }
  const fence = new Fence(host, dir, spawnProcess(host.path, HELPER_ARGV));
  // Registered before anything else can fail, so a half-built fence is still removed.
  tn.defer(() => fence.teardown());
  await fence.build();
  return fence;
}

/** Polls until `sleep` runs in a mount namespace other than ours (unshare has done its work). */
async function waitForOwnMountNs(helper: SpawnedProcess): Promise<string> {
  const ours = readNs(process.pid);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (helper.exited()) break;
    const ns = readNs(helper.pid);
    if (ns !== undefined && ns !== ours && readComm(helper.pid) === 'sleep') return ns;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new CtrnetError('EXEC_FAILED', `${HELPER_ARGV.join(' ')} (pid ${helper.pid}) did not get a mount namespace of its own: ${helper.output().trim() || 'no output'}`);
}

function readNs(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Runs one teardown step, reporting instead of throwing. */
async function attempt(what: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`[ctrnet testkit] fence teardown: ${what} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
