import type { ExecResult, ExecTarget, Executor, IpBatchOptions, IpCommand, RunOptions } from './executor.js';

/** One call the recording executor saw. */
export type RecordedCall =
  | { kind: 'run'; argv: readonly string[]; netns?: string; input?: string }
  | { kind: 'ip'; commands: readonly IpCommand[]; netns?: string; ignoreMissing: boolean }
  | { kind: 'iptables-restore'; payload: string; family: 4 | 6; netns?: string }
  | { kind: 'nft'; script: string; netns?: string };

/**
 * A fake executor for unit tests: records every call and answers `run` from
 * a responder. Tests assert on the plan ctrnet meant to apply.
 */
export class RecordingExecutor implements Executor {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly responder: (argv: readonly string[]) => Partial<ExecResult> = () => ({})) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    this.calls.push({ kind: 'run', argv, netns: options.netns, input: options.input });
    return { stdout: '', stderr: '', exitCode: 0, ...this.responder(argv) };
  }

  async ip(commands: readonly IpCommand[], options: IpBatchOptions = {}): Promise<void> {
    this.calls.push({ kind: 'ip', commands, netns: options.netns, ignoreMissing: options.ignoreMissing ?? false });
  }

  async iptablesRestore(payload: string, options: ExecTarget & { family?: 4 | 6 } = {}): Promise<void> {
    this.calls.push({ kind: 'iptables-restore', payload, family: options.family ?? 4, netns: options.netns });
  }

  async nft(script: string, options: ExecTarget = {}): Promise<void> {
    this.calls.push({ kind: 'nft', script, netns: options.netns });
  }

  /** Every `ip` command recorded, flattened, as space-joined strings (handy for assertions). */
  ipLines(): string[] {
    return this.calls.flatMap((c) => (c.kind === 'ip' ? c.commands.map((cmd) => cmd.join(' ')) : []));
  }
}
