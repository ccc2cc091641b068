/**
 * Where a ctrnet setup/teardown spends its time: an Executor wrapper that
 * times every kernel command, and per-phase totals of those times. The
 * wrapper adds two performance.now() calls per command, nothing else.
 */
import { performance } from 'node:perf_hooks';
import { median } from './stats.js';
import type { ExecResult, ExecTarget, Executor, IpBatchOptions, IpCommand, RunOptions, SpareNetns } from '@ctrnet/core';

/** One kernel command as the profile names it, e.g. `nft -f`, `ip -batch`, `ip link (in container)`. */
export interface CommandTime {
  label: string;
  /** performance.now() when it began. */
  start: number;
  ms: number;
}

function label(argv: readonly string[], target?: ExecTarget): string {
  const words = argv[0] === 'ip' || argv[0] === 'sysctl' ? argv.slice(0, 2) : argv.slice(0, 1);
  return `${words.join(' ')}${target?.netns ? ' (in container)' : ''}`;
}

/** Times each call of the wrapped executor; take() hands over what was recorded since the last take(). */
export class TimingExecutor implements Executor {
  private calls: CommandTime[] = [];

  constructor(private readonly inner: Executor) {
    const { spareNetns, closeNetns } = inner;
    if (spareNetns) {
      this.spareNetns = async () => {
        const spare = await this.timed('netns add', () => spareNetns.call(inner));
        return { pin: (path) => this.timed('netns attach', () => spare.pin(path)), discard: () => spare.discard() };
      };
    }
    if (closeNetns) this.closeNetns = (path) => this.timed('netns session close', () => closeNetns.call(inner, path));
  }

  private async timed<T>(name: string, call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await call();
    } finally {
      this.calls.push({ label: name, start, ms: performance.now() - start });
    }
  }

  run(argv: readonly string[], options?: RunOptions): Promise<ExecResult> {
    return this.timed(label(argv, options), () => this.inner.run(argv, options));
  }

  ip(commands: readonly IpCommand[], options?: IpBatchOptions): Promise<void> {
    const what = commands.length > 0 && commands.every((c) => c[0] === 'netns' && c[1] === 'delete') ? ['netns delete'] : ['ip', '-batch'];
    return this.timed(label(what, options), () => this.inner.ip(commands, options));
  }

  iptablesRestore(payload: string, options?: ExecTarget & { family?: 4 | 6 }): Promise<void> {
    return this.timed(label([options?.family === 6 ? 'ip6tables-restore' : 'iptables-restore'], options), () => this.inner.iptablesRestore(payload, options));
  }

  nft(script: string, options?: ExecTarget): Promise<void> {
    return this.timed(label(['nft -f'], options), () => this.inner.nft(script, options));
  }

  /** The inner executor's set-up sessions, when it keeps them (timed as `netns add`). */
  readonly spareNetns?: () => Promise<SpareNetns>;
  readonly closeNetns?: (path: string) => Promise<void>;

  /** Stops the inner executor's coprocesses, if it keeps any. */
  async close(): Promise<void> {
    await this.inner.close?.();
  }

  take(): CommandTime[] {
    const taken = this.calls;
    this.calls = [];
    return taken;
  }
}

/** Totals of one command label over a phase. */
export interface CommandTotal {
  label: string;
  calls: number;
  ms: number;
}

/** Kernel-command time of one phase (all setups, or all teardowns) against its wall time. */
export interface PhaseProfile {
  /** setup/teardown calls summed over. */
  operations: number;
  wallMs: number;
  /** Time inside kernel commands (they run one after another, so this never exceeds wallMs). */
  commandMs: number;
  commands: CommandTotal[];
  /**
   * Kernel-command time of each operation, by container (entry k is container k+1):
   * set against the timed samples it splits growth into kernel and everything else.
   */
  commandMsByContainer: number[];
  /**
   * The network part of each operation, by container, for runners that can
   * tell it apart (ctrnet's API: the run up to its port published; the
   * release from its first kernel command to the namespace's deletion).
   */
  networkMsByContainer: number[];
}

export interface RunProfile {
  setup: PhaseProfile;
  teardown: PhaseProfile;
}

/** Accumulates per-operation command times into per-phase totals. */
export class ProfileBuilder {
  private readonly phases = { setup: emptyPhase(), teardown: emptyPhase() };

  /** Records operation `i` (container i, or repeat i) of `phase`. */
  add(phase: keyof RunProfile, i: number, wallMs: number, calls: readonly CommandTime[], networkMs?: number): void {
    const p = this.phases[phase];
    if (networkMs !== undefined) p.networkMsByContainer[i - 1] = networkMs;
    p.operations += 1;
    p.wallMs += wallMs;
    p.commandMsByContainer[i - 1] = calls.reduce((sum, c) => sum + c.ms, 0);
    for (const { label: name, ms } of calls) {
      p.commandMs += ms;
      const total = p.commands.find((c) => c.label === name);
      if (total) {
        total.calls += 1;
        total.ms += ms;
      } else {
        p.commands.push({ label: name, calls: 1, ms });
      }
    }
  }

  result(): RunProfile {
    const sorted = (p: PhaseProfile): PhaseProfile => ({ ...p, commands: [...p.commands].sort((a, b) => b.ms - a.ms) });
    return { setup: sorted(this.phases.setup), teardown: sorted(this.phases.teardown) };
  }
}

function emptyPhase(): PhaseProfile {
  return { operations: 0, wallMs: 0, commandMs: 0, commands: [], commandMsByContainer: [], networkMsByContainer: [] };
}

/** One line per phase, means per operation, e.g. `setup: mean 45.2 ms, of which 31.0 ms in 4.0 kernel commands (nft -f 1.0x 14.1 ms, ...)`. */
export function describeProfile(profile: RunProfile, top = 5): string[] {
  return (['setup', 'teardown'] as const).map((phase) => {
    const p = profile[phase];
    const per = (v: number): number => v / Math.max(1, p.operations);
    const calls = p.commands.reduce((sum, c) => sum + c.calls, 0);
    const parts = p.commands.slice(0, top).map((c) => `${c.label} ${per(c.calls).toFixed(1)}x ${per(c.ms).toFixed(1)} ms`);
    const network = networkMedian(p);
    const networkPart = network === undefined ? '' : `; network part median ${network.toFixed(1)} ms (#1-10: ${networkMedian(p, 10)!.toFixed(1)} ms)`;
    return `${phase}: mean ${per(p.wallMs).toFixed(1)} ms, of which ${per(p.commandMs).toFixed(1)} ms in ${per(calls).toFixed(1)} kernel commands (${parts.join(', ') || 'none'})${networkPart}`;
  });
}

/** Median of the network part over every container, or the first `first`, for runners that time it. */
export function networkMedian(p: PhaseProfile, first = Infinity): number | undefined {
  const times = p.networkMsByContainer.slice(0, first).filter((v) => Number.isFinite(v));
  return times.length ? median(times) : undefined;
}
