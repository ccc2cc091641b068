import createDebug from 'debug';
import { execa } from 'execa';
import type { ExecResult, ExecTarget, Executor, IpBatchOptions, IpCommand, RunOptions } from './executor.js';
import { ExecError } from './exec-error.js';
import { monitorCommand } from './monitor.js';

const debug = createDebug('ctrnet:exec');

/** Prefix argv with nsenter so it runs in another network namespace without a shell or a private mount namespace. */
function inNetns(argv: readonly string[], target?: ExecTarget): string[] {
  return target?.netns ? ['nsenter', `--net=${target.netns}`, '--', ...argv] : [...argv];
}

/** Runs kernel commands with execa. The only class in ctrnet that spawns processes for kernel work. */
export class ExecaExecutor implements Executor {
  async run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
    const full = inNetns(argv, options);
    debug('%o%s', full, options.input ? `\n${options.input}` : '');
    const result = await execa(full[0]!, full.slice(1), {
      input: options.input,
      reject: false,
      stripFinalNewline: false,
      env: { LC_ALL: 'C' },
    });
    const exitCode = result.exitCode ?? 1;
    if (exitCode !== 0 || result.failed) {
      throw new ExecError(full, exitCode, String(result.stderr || result.message), { input: options.input, stdout: String(result.stdout ?? '') });
    }
    return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
  }

  async ip(commands: readonly IpCommand[], options: IpBatchOptions = {}): Promise<void> {
    if (commands.length === 0) return;
    // ip's batch parser splits on blanks; names are validated before they get
    // here (no whitespace or quotes), so joining with a space is lossless.
    const input = commands.map((c) => c.join(' ')).join('\n') + '\n';
    const argv = options.ignoreMissing ? ['ip', '-force', '-batch', '-'] : ['ip', '-batch', '-'];
    try {
      await this.run(argv, { netns: options.netns, input });
    } catch (err) {
      if (options.ignoreMissing && err instanceof ExecError && err.kind === 'missing') {
        debug('ignored missing objects: %s', err.stderr.trim());
        return;
      }
      throw err;
    }
  }

  async iptablesRestore(payload: string, options: ExecTarget & { family?: 4 | 6 } = {}): Promise<void> {
    const tool = options.family === 6 ? 'ip6tables-restore' : 'iptables-restore';
    // -w: wait for the xtables lock instead of failing when another tool holds it.
    await this.run([tool, '-w', '--noflush'], { netns: options.netns, input: payload });
  }

  async nft(script: string, options: ExecTarget = {}): Promise<void> {
    await this.run(['nft', '-f', '-'], { netns: options.netns, input: script });
  }

  monitor(argv: readonly string[], onLine: (line: string) => void, options: ExecTarget = {}): () => void {
    return monitorCommand(inNetns(argv, options), onLine);
  }
}
