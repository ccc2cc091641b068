/**
 * Which iptables binaries run, and how. `default` is whatever `iptables`
 * means on this machine (iptables-nft on current distributions) and goes
 * through the executor's own `iptablesRestore`; `nft` and `legacy` name a
 * flavour explicitly, for machines that have both.
 */
import type { PluginContext } from '@ctrnet/core';
import { renderPayload, type Payload } from './payload.js';
import { parseSave, type Ruleset } from './ruleset.js';

export type IptablesVariant = 'default' | 'nft' | 'legacy';

const COMMANDS: Record<IptablesVariant, { restore: string; save: string }> = {
  default: { restore: 'iptables-restore', save: 'iptables-save' },
  nft: { restore: 'iptables-nft-restore', save: 'iptables-nft-save' },
  legacy: { restore: 'iptables-legacy-restore', save: 'iptables-legacy-save' },
};

/** Applies payloads and reads the ruleset with one iptables flavour. */
export class IptablesTools {
  readonly restoreCommand: string;
  readonly saveCommand: string;

  constructor(readonly variant: IptablesVariant) {
    ({ restore: this.restoreCommand, save: this.saveCommand } = COMMANDS[variant]);
  }

  /** One `iptables-restore -w --noflush` run (atomic per table); nothing runs for an empty payload. */
  async restore(ctx: PluginContext, payload: Payload): Promise<void> {
    const text = renderPayload(payload);
    if (!text) return;
    if (this.variant === 'default') await ctx.exec.iptablesRestore(text);
    // -w: wait for the xtables lock instead of failing while another tool holds it.
    else await ctx.exec.run([this.restoreCommand, '-w', '--noflush'], { input: text });
  }

  /** The raw, nat and filter tables as `iptables-save` shows them. */
  async save(ctx: PluginContext): Promise<Ruleset> {
    const { stdout } = await ctx.exec.run([this.saveCommand]);
    return parseSave(stdout);
  }

  /** `iptables-restore --version`, e.g. "iptables-restore v1.8.9 (nf_tables)". */
  async version(ctx: PluginContext): Promise<string> {
    const { stdout, stderr } = await ctx.exec.run([this.restoreCommand, '--version']);
    return (stdout.trim() || stderr.trim()).split('\n')[0]!;
  }
}
