/**
 * The one port through which ctrnet touches the kernel. Callers hand over
 * argv arrays or whole batches (an `ip -batch` list, an iptables-restore
 * payload, an nft script); nothing here ever goes through a shell.
 */

/** Where a command runs: the current network namespace, or the one at `netns` (a path `nsenter --net=` accepts). */
export interface ExecTarget {
  netns?: string;
}

export interface RunOptions extends ExecTarget {
  /** Bytes for the command's standard input. */
  input?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One `ip` command as argv without the leading `ip`, e.g. `['link', 'set', 'eth0', 'up']`. */
export type IpCommand = readonly string[];

export interface IpBatchOptions extends ExecTarget {
  /**
   * Teardown mode: run every line even when some fail, and treat "no such
   * object" failures as success. Any other failure still throws.
   */
  ignoreMissing?: boolean;
}

/** A network namespace made ahead of its container, with a set-up session in it ({@link Executor.spareNetns}). */
export interface SpareNetns {
  /**
   * Pin it at `path` (`/run/netns/NAME`, which must not exist): from then on
   * it is the namespace at `path`, and its session serves the calls aimed at
   * `path` until {@link Executor.closeNetns}.
   */
  pin(path: string): Promise<void>;
  /** End its session unpinned: the namespace ends with it. */
  discard(): Promise<void>;
}

export interface Executor {
  /** Run one command; rejects with ExecError on a non-zero exit. */
  run(argv: readonly string[], options?: RunOptions): Promise<ExecResult>;
  /** Run many `ip` commands in one `ip -batch -` process. */
  ip(commands: readonly IpCommand[], options?: IpBatchOptions): Promise<void>;
  /** Apply an iptables-restore payload with `--noflush` (atomic per table). */
  iptablesRestore(payload: string, options?: ExecTarget & { family?: 4 | 6 }): Promise<void>;
  /** Apply an nft script as one transaction (`nft -f -`). */
  nft(script: string, options?: ExecTarget): Promise<void>;
  /**
   * Optional: start a long-running, read-only command (`nft monitor`) and
   * call `onLine` for every line it prints; restarted if it exits, until the
   * returned function is called. Resident processes use it to notice kernel
   * changes made by others; short-lived ones never need it.
   */
  monitor?(argv: readonly string[], onLine: (line: string) => void, options?: ExecTarget): () => void;
  /**
   * Optional (resident executors): make a network namespace, loopback up,
   * with a set-up session in it: processes inside that take the `ip`
   * batches and sysctls later aimed at it, and host lines naming it, without
   * a spawn each. Until it is pinned it lives only as long as its session
   * (so a spare never outlives the process that made it). Without this, the
   * runtime makes namespaces with `unshare`.
   */
  spareNetns?(): Promise<SpareNetns>;
  /** Optional: end the set-up session of the namespace pinned at `path`; the namespace stays. A no-op for a path without one. */
  closeNetns?(path: string): Promise<void>;
  /** Optional: stop the resident processes this executor keeps (coprocesses); the runtime calls it on close. */
  close?(): Promise<void>;
}
