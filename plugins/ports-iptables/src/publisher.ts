import { ExecError, type FirewallState, type LinkRule, type NetworkRules, type PluginContext, type PortBinding, type PortPublisher, type ProbeResult } from '@ctrnet/core';
import { baseUnit, containerUnits, linkUnit, networkUnit } from './layout.js';
import { TABLES, type Unit } from './model.js';
import { installPayload, removePayload } from './payload.js';
import { describeRuleset, reconcile, reloadRequest, resetRequest } from './reconcile.js';
import { missingUnits } from './check.js';
import { IptablesTools, type IptablesVariant } from './tools.js';

export interface IptablesPublisherOptions {
  /** Which iptables binaries to run; default: the machine's `iptables-restore`. */
  variant?: IptablesVariant;
}

/**
 * Port publisher on iptables. Every change is one `iptables-restore
 * --noflush` run of ctrnet's own chains. The common path sends an
 * optimistic payload that fails rather than duplicate or miss anything
 * (see payload.ts); only when it fails does the publisher read
 * `iptables-save` and send an exact payload (see reconcile.ts). So
 * publish/unpublish cost one process and never list the ruleset, whatever
 * the number of other containers.
 */
export class IptablesPublisher implements PortPublisher {
  readonly name = 'iptables';
  /** The fallback: `auto` picks iptables where nftables does not work. */
  readonly preference = 10;
  private readonly tools: IptablesTools;

  constructor(options: IptablesPublisherOptions = {}) {
    this.tools = new IptablesTools(options.variant ?? 'default');
  }

  async probe(ctx: PluginContext): Promise<ProbeResult> {
    try {
      return { usable: true, reason: `${await this.tools.version(ctx)} answers` };
    } catch (err) {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      return { usable: false, reason: `${this.tools.restoreCommand} --version failed: ${why}` };
    }
  }

  async addNetwork(ctx: PluginContext, network: NetworkRules): Promise<void> {
    // Before any rule: fails early if the bridge is missing. Localhost access
    // to published ports routes 127.0.0.1-sourced packets out of the bridge.
    if (!network.internal) await this.allowLocalnet(ctx, network.bridge);
    await this.install(ctx, [networkUnit(network)]);
  }

  async removeNetwork(ctx: PluginContext, network: NetworkRules): Promise<void> {
    await this.remove(ctx, [networkUnit(network)]);
  }

  async publish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void> {
    if (bindings.length > 0) await this.install(ctx, containerUnits(bindings));
  }

  async unpublish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void> {
    if (bindings.length > 0) await this.remove(ctx, containerUnits(bindings));
  }

  async addLink(ctx: PluginContext, link: LinkRule): Promise<void> {
    await this.install(ctx, [linkUnit(link)]);
  }

  async removeLink(ctx: PluginContext, link: LinkRule): Promise<void> {
    await this.remove(ctx, [linkUnit(link)]);
  }

  async reload(ctx: PluginContext, state: FirewallState): Promise<void> {
    const units = stateUnits(state);
    for (const network of state.networks) if (!network.internal) await this.allowLocalnet(ctx, network.bridge);
    const current = await this.tools.save(ctx);
    await this.tools.restore(ctx, reconcile(current, reloadRequest(current, units)));
  }

  async reset(ctx: PluginContext): Promise<void> {
    const current = await this.tools.save(ctx);
    await this.tools.restore(ctx, reconcile(current, resetRequest(current)));
  }

  async describe(ctx: PluginContext): Promise<string> {
    return describeRuleset(await this.tools.save(ctx));
  }

  async check(ctx: PluginContext, state: FirewallState): Promise<string[]> {
    if (state.networks.length === 0) return [];
    return missingUnits(await this.tools.save(ctx), stateUnits(state));
  }

  /**
   * iptables-nft keeps its rules in nf_tables, so `nft monitor` reports
   * their changes too; iptables-legacy has no change events, and ctrnetd's
   * periodic check covers it.
   */
  watch(ctx: PluginContext, onChange: () => void): (() => void) | undefined {
    if (!ctx.exec.monitor || this.tools.variant === 'legacy') return undefined;
    return ctx.exec.monitor(['nft', 'monitor'], () => onChange());
  }

  private async allowLocalnet(ctx: PluginContext, bridge: string): Promise<void> {
    // The slash form, because a bridge name may contain dots.
    await ctx.exec.run(['sysctl', '-qw', `net/ipv4/conf/${bridge}/route_localnet=1`]);
  }

  /** Optimistic install; if anything was already there (or the base is missing), reconcile once. */
  private async install(ctx: PluginContext, units: readonly Unit[]): Promise<void> {
    try {
      await this.tools.restore(ctx, installPayload(units));
    } catch (err) {
      if (!(err instanceof ExecError)) throw err;
      ctx.log('optimistic install failed (%s); reconciling against %s', err.message, this.tools.saveCommand);
      await this.tools.restore(ctx, reconcile(await this.tools.save(ctx), { ensure: [baseUnit(), ...units], remove: [] }));
    }
  }

  /** Optimistic removal; if anything was already gone, reconcile once (which makes a repeat a no-op). */
  private async remove(ctx: PluginContext, units: readonly Unit[]): Promise<void> {
    try {
      await this.tools.restore(ctx, removePayload(units));
    } catch (err) {
      if (!(err instanceof ExecError)) throw err;
      ctx.log('optimistic removal failed (%s); reconciling against %s', err.message, this.tools.saveCommand);
      // By name in every table: also catches a chain an earlier call made with other bindings.
      const names = new Set(units.flatMap((u) => u.chains.map((c) => c.name)));
      const remove = [...names].flatMap((name) => TABLES.map((table) => ({ table, name })));
      await this.tools.restore(ctx, reconcile(await this.tools.save(ctx), { ensure: [], remove }));
    }
  }
}

/** Every unit `state` calls for, the base layout first. */
function stateUnits(state: FirewallState): Unit[] {
  return [baseUnit(), ...state.networks.map(networkUnit), ...containerUnits(state.ports), ...state.links.map(linkUnit)];
}
