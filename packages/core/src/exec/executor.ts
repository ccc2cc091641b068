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
   * Optional (resident executors): make the network namespace pinned at
   * `path` (a file under /run/netns that must not exist yet), loopback up,
   * and keep a session in it until {@link Executor.closeNetns}: processes
   * inside it that take later `ip` batches and sysctls aimed at `path`, and
   * lines naming it, without a spawn each. Without it, the runtime makes
   * namespaces with `unshare`.
   */
  openNetns?(path: string): Promise<void>;
  /** Optional: end the session {@link Executor.openNetns} started; the namespace stays. A no-op for a path without one. */
  closeNetns?(path: string): Promise<void>;
  /** Optional: stop the resident processes this executor keeps (coprocesses); the runtime calls it on close. */
  close?(): Promise<void>;
}
