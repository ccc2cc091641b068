import createDebug from 'debug';
import { CtrnetError } from '@ctrnet/core';
import { execIn, netnsHandle, netnsName, netnsPath, type NetnsHandle, type NetnsRef } from './netns.js';
import { spawnProcess, type SpawnedProcess, type SpawnOptions } from './process.js';

const debug = createDebug('ctrnet:testkit:namespaces');

/** Generous: cleanup may wait out a SIGTERM grace period per process. */
const CLEANUP_HOOK_TIMEOUT_MS = 60_000;

/**
 * The cleanup registry of one test: every namespace, process and extra undo
 * step it hands out or is given is undone by {@link TestNamespaces.cleanup}.
 * The instance stays usable after cleanup, so one can serve a whole suite.
 */
export class TestNamespaces {
  private namespaces: NetnsHandle[] = [];
  private processes: SpawnedProcess[] = [];
  private deferred: Array<() => unknown> = [];
  private running: Promise<void> | undefined;

  /** `ip netns add ctt-<label>-<random6>` with loopback up; deleted at cleanup. */
  async create(label: string): Promise<NetnsHandle> {
    const ns = netnsHandle(netnsName(label));
    await execIn(undefined, ['ip', 'netns', 'add', ns.name]);
    // Registered before anything else can fail, so a half-made namespace is still removed.
    this.namespaces.push(ns);
    await ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    debug('created %s', ns.name);
    return ns;
  }

  /** A namespace playing "the host": like {@link create}, plus IPv4 forwarding on. */
  async createHost(): Promise<NetnsHandle> {
    const ns = await this.create('host');
    // /proc/sys/net follows the netns of the writer, so this stays inside the namespace.
    await ns.exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    return ns;
  }

  /** Takes ownership of a namespace made by someone else (e.g. the code under test); deleted at cleanup. */
  adopt(name: string): NetnsHandle {
    const ns = netnsHandle(name);
    this.namespaces.push(ns);
    return ns;
  }

  /** Runs `fn` at cleanup, after processes stop and before namespaces go; last deferred runs first. */
  defer(fn: () => unknown | Promise<unknown>): void {
    this.deferred.push(fn);
  }

  /** Starts a long-running process inside `ns`; stopped (by PID) at cleanup. */
  spawn(ns: NetnsRef, argv: readonly string[], opts?: SpawnOptions): SpawnedProcess {
    const proc = spawnProcess(netnsPath(ns), argv, opts);
    this.processes.push(proc);
    return proc;
  }

  /**
   * Stops processes, runs deferred steps, deletes namespaces, each newest
   * first. Never throws: failures are reported on stderr so a leak is seen,
   * but one failed step does not keep the rest from running. Idempotent, and
   * concurrent calls share one run.
   */
  cleanup(): Promise<void> {
    this.running ??= this.runCleanup().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runCleanup(): Promise<void> {
    const processes = this.processes.splice(0).reverse();
    const deferred = this.deferred.splice(0).reverse();
    const namespaces = this.namespaces.splice(0).reverse();
    // Processes first: a process inside a namespace keeps it alive after `ip netns delete`.
    for (const proc of processes) await attempt(`stop pid ${proc.pid}`, () => proc.stop());
    for (const fn of deferred) await attempt('deferred cleanup step', fn);
    for (const ns of namespaces) await attempt(`delete netns ${ns.name}`, () => deleteNetns(ns));
  }
}

/** Deletes a namespace; "already gone" counts as done so cleanup can be repeated. */
async function deleteNetns(ns: NetnsHandle): Promise<void> {
  const leftover = await execIn(undefined, ['ip', 'netns', 'pids', ns.name], { reject: false });
  if (leftover.exitCode === 0 && leftover.stdout.trim()) {
    // Not ours to kill (we stop only PIDs we started); the namespace lives on until they exit.
    process.stderr.write(`[ctrnet testkit] netns ${ns.name} still holds processes ${leftover.stdout.trim().split('\n').join(', ')}; it will linger until they exit\n`);
  }
  const result = await execIn(undefined, ['ip', 'netns', 'delete', ns.name], { reject: false });
  if (result.exitCode !== 0 && !/No such file or directory/.test(result.stderr)) {
    throw new CtrnetError('EXEC_FAILED', `ip netns delete ${ns.name} failed: ${result.stderr.trim()}; remove it by hand`);
  }
  debug('deleted %s', ns.name);
}

/** Runs one cleanup step, reporting instead of throwing. */
async function attempt(what: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`[ctrnet testkit] cleanup: ${what} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

/**
 * Mocha helper: call inside a `describe` body. The returned registry is
 * cleaned after every test (pass or fail) and once more after the suite.
 */
export function useTestNamespaces(): TestNamespaces {
  if (typeof afterEach !== 'function' || typeof after !== 'function') {
    throw new CtrnetError('INVALID_STATE', 'useTestNamespaces() needs mocha globals; call it inside a describe() body of a mocha test file');
  }
  const tn = new TestNamespaces();
  afterEach('ctrnet testkit cleanup', async function () {
    this.timeout(CLEANUP_HOOK_TIMEOUT_MS);
    await tn.cleanup();
  });
  after('ctrnet testkit cleanup (safety net)', async function () {
    this.timeout(CLEANUP_HOOK_TIMEOUT_MS);
    await tn.cleanup();
  });
  return tn;
}
