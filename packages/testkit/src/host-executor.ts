/**
 * Runs a driver "on the host" inside a test namespace: every command the
 * caller did not aim at a namespace goes to `hostNetns` instead of the real
 * host, so integration tests stay hermetic.
 */
import { ExecaExecutor, type ExecResult, type ExecTarget, type Executor, type IpBatchOptions, type IpCommand, type RunOptions } from '@ctrnet/core';

export class HostNamespaceExecutor implements Executor {
  constructor(
    private readonly hostNetns: string,
    private readonly inner: Executor = new ExecaExecutor(),
  ) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    return this.inner.run(argv, this.target(options));
  }

  ip(commands: readonly IpCommand[], options: IpBatchOptions = {}): Promise<void> {
    return this.inner.ip(commands, this.target(options));
  }

  iptablesRestore(payload: string, options: ExecTarget & { family?: 4 | 6 } = {}): Promise<void> {
    return this.inner.iptablesRestore(payload, this.target(options));
  }

  nft(script: string, options: ExecTarget = {}): Promise<void> {
    return this.inner.nft(script, this.target(options));
  }

  private target<T extends ExecTarget>(options: T): T {
    // `||`, not `??`: host mode's sandbox path is '' ("the namespace ctrnet
    // runs in"), which must mean the test's host namespace, never the real one.
    return { ...options, netns: options.netns || this.hostNetns };
  }
}
