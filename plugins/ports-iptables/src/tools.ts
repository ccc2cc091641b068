/**
 * Which iptables binaries run, and how. `default` is whatever `iptables`
 * means on this machine (iptables-nft on current distributions) and goes
 * through the executor's own `iptablesRestore`; `nft` and `legacy` name a
 * flavour explicitly, for machines that have both. Every flavour comes in
 * both families: iptables for IPv4, ip6tables for IPv6.
 */
import type { PluginContext } from '@ctrnet/core';
import type { Family } from './layout.js';
import { renderPayload, type Payload } from './payload.js';
import { parseSave, type Ruleset } from './ruleset.js';

export type IptablesVariant = 'default' | 'nft' | 'legacy';

const PREFIX: Record<IptablesVariant, string> = { default: '', nft: '-nft', legacy: '-legacy' };

/** Applies payloads and reads the ruleset with one iptables flavour. */
export class IptablesTools {
  readonly restoreCommand: string;
  readonly saveCommand: string;

  constructor(readonly variant: IptablesVariant) {
    this.restoreCommand = this.command(4, 'restore');
    this.saveCommand = this.command(4, 'save');
  }

  /** `iptables-nft-save`, `ip6tables-legacy-restore`, ... */
  command(family: Family, verb: 'restore' | 'save'): string {
    return `${family === 6 ? 'ip6tables' : 'iptables'}${PREFIX[this.variant]}-${verb}`;
  }

  /** One `iptables-restore -w --noflush` run of the family (atomic per table); nothing runs for an empty payload. */
  async restore(ctx: PluginContext, payload: Payload, family: Family = 4): Promise<void> {
    const text = renderPayload(payload);
    if (!text) return;
    if (this.variant === 'default') await ctx.exec.iptablesRestore(text, { family });
    // -w: wait for the xtables lock instead of failing while another tool holds it.
    else await ctx.exec.run([this.command(family, 'restore'), '-w', '--noflush'], { input: text });
  }

  /** The raw, nat and filter tables of the family as `iptables-save` / `ip6tables-save` shows them. */
  async save(ctx: PluginContext, family: Family = 4): Promise<Ruleset> {
    const { stdout } = await ctx.exec.run([this.command(family, 'save')]);
    return parseSave(stdout);
  }

  /** `iptables-restore --version`, e.g. "iptables-restore v1.8.9 (nf_tables)". */
  async version(ctx: PluginContext): Promise<string> {
    const { stdout, stderr } = await ctx.exec.run([this.restoreCommand, '--version']);
    return (stdout.trim() || stderr.trim()).split('\n')[0]!;
  }
}
