import { ExecError, type FirewallState, type LinkRule, type NetworkRules, type PluginContext, type PortBinding, type PortPublisher, type ProbeResult } from '@ctrnet/core';
import { baseUnit, containerUnits, familyOfAddress, linkUnit, networkUnit, type Family } from './layout.js';
import { TABLES, type Unit } from './model.js';
import { installPayload, removePayload } from './payload.js';
import { describeRuleset, reconcile, reloadRequest, resetRequest } from './reconcile.js';
import type { Ruleset } from './ruleset.js';
import { missingUnits } from './check.js';
import { IptablesTools, type IptablesVariant } from './tools.js';

export interface IptablesPublisherOptions {
  /** Which iptables binaries to run; default: the machine's `iptables-restore`. */
  variant?: IptablesVariant;
}

/**
 * Port publisher on iptables, and ip6tables for IPv6: every rule is
 * mirrored for the network's other family. Every change is one
 * `iptables-restore --noflush` run of ctrnet's own chains per family it
 * concerns. The common path sends an
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
    // to published ports routes 127.0.0.1-sourced packets out of the bridge (IPv4 only).
    if (!network.internal && network.subnet !== undefined) await this.allowLocalnet(ctx, network.bridge);
    for (const family of FAMILIES) await this.install(ctx, defined([networkUnit(network, family)]), family);
  }

  async removeNetwork(ctx: PluginContext, network: NetworkRules): Promise<void> {
    for (const family of FAMILIES) await this.remove(ctx, defined([networkUnit(network, family)]), family);
  }

  async publish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void> {
    for (const family of FAMILIES) await this.install(ctx, containerUnits(bindings, family), family);
  }

  async unpublish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void> {
    for (const family of FAMILIES) await this.remove(ctx, containerUnits(bindings, family), family);
  }

  async addLink(ctx: PluginContext, link: LinkRule): Promise<void> {
    await this.install(ctx, [linkUnit(link)], familyOfAddress(link.targetIp));
  }

  async removeLink(ctx: PluginContext, link: LinkRule): Promise<void> {
    await this.remove(ctx, [linkUnit(link)], familyOfAddress(link.targetIp));
  }

  /**
   * Rebuild each family from `state`. IPv6 is left alone on a machine
   * without ip6tables while the state has no IPv6 (nothing of ours can be there).
   */
  async reload(ctx: PluginContext, state: FirewallState): Promise<void> {
    for (const network of state.networks) if (!network.internal && network.subnet !== undefined) await this.allowLocalnet(ctx, network.bridge);
    for (const family of FAMILIES) {
      const units = stateUnits(state, family);
      const current = await this.saveFamily(ctx, family, units.length === 0);
      if (!current) continue;
      await this.tools.restore(ctx, reconcile(current, units.length ? reloadRequest(current, units) : resetRequest(current)), family);
    }
  }

  async reset(ctx: PluginContext): Promise<void> {
    for (const family of FAMILIES) {
      const current = await this.saveFamily(ctx, family, family === 6);
      if (current) await this.tools.restore(ctx, reconcile(current, resetRequest(current)), family);
    }
  }

  async describe(ctx: PluginContext): Promise<string> {
    const v4 = describeRuleset(await this.tools.save(ctx, 4));
    const saved6 = await this.saveFamily(ctx, 6, true);
    const v6 = saved6 ? describeRuleset(saved6) : '';
    return v6 ? `${v4}# IPv6 (${this.tools.command(6, 'save')})\n${v6}` : v4;
  }

  async check(ctx: PluginContext, state: FirewallState): Promise<string[]> {
    const problems: string[] = [];
    for (const family of FAMILIES) {
      const units = stateUnits(state, family);
      if (units.length === 0) continue;
      const missing = missingUnits(await this.tools.save(ctx, family), units);
      problems.push(...(family === 6 ? missing.map((m) => `IPv6: ${m}`) : missing));
    }
    return problems;
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

  /**
   * The family's ruleset; with `optional`, undefined where it cannot be read
   * (no ip6tables installed, a kernel without IPv6): nothing of ours can be
   * there, and nothing of the state needs it.
   */
  private async saveFamily(ctx: PluginContext, family: Family, optional: boolean): Promise<Ruleset | undefined> {
    try {
      return await this.tools.save(ctx, family);
    } catch (err) {
      if (optional && err instanceof ExecError) {
        ctx.log('cannot read the IPv%d ruleset (%s); nothing of ctrnet can be there', family, err.message);
        return undefined;
      }
      throw err;
    }
  }

  /** Optimistic install; if anything was already there (or the base is missing), reconcile once. */
  private async install(ctx: PluginContext, units: readonly Unit[], family: Family): Promise<void> {
    if (units.length === 0) return;
    try {
      await this.tools.restore(ctx, installPayload(units), family);
    } catch (err) {
      if (!(err instanceof ExecError)) throw err;
      ctx.log('optimistic install failed (%s); reconciling against %s', err.message, this.tools.command(family, 'save'));
      await this.tools.restore(ctx, reconcile(await this.tools.save(ctx, family), { ensure: [baseUnit(), ...units], remove: [] }), family);
    }
  }

  /** Optimistic removal; if anything was already gone, reconcile once (which makes a repeat a no-op). */
  private async remove(ctx: PluginContext, units: readonly Unit[], family: Family): Promise<void> {
    if (units.length === 0) return;
    try {
      await this.tools.restore(ctx, removePayload(units), family);
    } catch (err) {
      if (!(err instanceof ExecError)) throw err;
      ctx.log('optimistic removal failed (%s); reconciling against %s', err.message, this.tools.command(family, 'save'));
      // By name in every table: also catches a chain an earlier call made with other bindings.
      const current = await this.saveFamily(ctx, family, family === 6);
      if (!current) return;
      const names = new Set(units.flatMap((u) => u.chains.map((c) => c.name)));
      const remove = [...names].flatMap((name) => TABLES.map((table) => ({ table, name })));
      await this.tools.restore(ctx, reconcile(current, { ensure: [], remove }), family);
    }
  }
}

/** Both families; IPv6 rules are the IPv4 layout written for ip6tables. */
const FAMILIES: readonly Family[] = [4, 6];

function defined<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((x): x is T => x !== undefined);
}

/**
 * Every unit of `family` that `state` calls for, the base layout first;
 * nothing at all (not even the base) while no network has the family.
 */
function stateUnits(state: FirewallState, family: Family): Unit[] {
  const networks = defined(state.networks.map((n) => networkUnit(n, family)));
  if (networks.length === 0) return [];
  const links = state.links.filter((l) => familyOfAddress(l.targetIp) === family).map(linkUnit);
  return [baseUnit(), ...networks, ...containerUnits(state.ports, family), ...links];
}
