import createDebug from 'debug';
import { CtrnetError, ExecError, type FirewallState, type LinkRule, type NetworkRules, type PluginContext, type PortBinding, type PortPublisher, type ProbeResult } from '@ctrnet/core';
import { allNetworkElements, bindingElements, linkElements } from './elements.js';
import { addOwnedElements, apply, applyTeardown, listTable, removeOwnedElements } from './apply.js';
import { missingParts } from './check.js';
import { probeNftables } from './probe.js';
import { addNetworkScript, reloadScript, resetScript, stateElements, TABLE } from './ruleset.js';
import { routeLocalnetArgv } from './sysctl.js';

const debug = createDebug('ctrnet:ports-nftables:publisher');

/**
 * The nftables port publisher: one `inet ctrnet` table whose fixed rules
 * look everything up in sets and maps (see layout.ts). Each method applies
 * one nft transaction; core has checked every input before (see core's
 * firewall/checks.ts), so values are safe to splice into scripts.
 */
export class NftablesPublisher implements PortPublisher {
  readonly name = 'nftables';
  /** First-class: `auto` picks nftables wherever it works. */
  readonly preference = 20;

  probe(ctx: PluginContext): Promise<ProbeResult> {
    return probeNftables(ctx);
  }

  async addNetwork(ctx: PluginContext, network: NetworkRules): Promise<void> {
    const doing = `install the rules of network ${network.networkId} (bridge ${network.bridge})`;
    // First, so a missing bridge fails before anything is installed. IPv4 only: IPv6 has no such switch.
    if (!network.internal && network.subnet !== undefined) await enableRouteLocalnet(ctx, network.bridge, doing);
    await apply(ctx, addNetworkScript(network), doing);
  }

  async removeNetwork(ctx: PluginContext, network: NetworkRules): Promise<void> {
    await removeOwnedElements(ctx, allNetworkElements(network), `remove the rules of network ${network.networkId} (bridge ${network.bridge})`);
  }

  async publish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    await addOwnedElements(ctx, bindingElements(bindings), `publish ${describePorts(bindings)}`);
  }

  async unpublish(ctx: PluginContext, bindings: readonly PortBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    await removeOwnedElements(ctx, bindingElements(bindings), `unpublish ${describePorts(bindings)}`);
  }

  async addLink(ctx: PluginContext, link: LinkRule): Promise<void> {
    if (link.ports.length === 0) return;
    await addOwnedElements(ctx, linkElements(link), `open the link ${link.sourceIp} -> ${link.targetIp}`);
  }

  async removeLink(ctx: PluginContext, link: LinkRule): Promise<void> {
    if (link.ports.length === 0) return;
    await removeOwnedElements(ctx, linkElements(link), `close the link ${link.sourceIp} -> ${link.targetIp}`);
  }

  async reload(ctx: PluginContext, state: FirewallState): Promise<void> {
    await apply(ctx, reloadScript(state), `rebuild table ${TABLE}`);
    // Bridges may have been re-created since addNetwork set it.
    for (const n of state.networks) if (!n.internal && n.subnet !== undefined) await enableRouteLocalnet(ctx, n.bridge, `rebuild table ${TABLE}`);
    debug('reloaded %d networks, %d ports, %d links', state.networks.length, state.ports.length, state.links.length);
  }

  async reset(ctx: PluginContext): Promise<void> {
    // Core resets every loaded backend, including on hosts without nft.
    await applyTeardown(ctx, resetScript(), `delete table ${TABLE}`);
  }

  async describe(ctx: PluginContext): Promise<string> {
    return (await listTable(ctx)) ?? `table ${TABLE} does not exist: nothing is installed through nftables\n`;
  }

  async check(ctx: PluginContext, state: FirewallState): Promise<string[]> {
    const listing = await listTable(ctx, ['-j']);
    if (listing === undefined) return state.networks.length ? [`table ${TABLE} is missing`] : [];
    return missingParts(listing, stateElements(state));
  }

  /** Every ruleset change (ours, another tool's, a flush) is an event of `nft monitor`. */
  watch(ctx: PluginContext, onChange: () => void): (() => void) | undefined {
    if (!ctx.exec.monitor) return undefined;
    return ctx.exec.monitor(['nft', 'monitor'], () => onChange());
  }
}

/** Localhost publishing needs route_localnet on the bridge (see sysctl.ts). */
async function enableRouteLocalnet(ctx: PluginContext, bridge: string, doing: string): Promise<void> {
  try {
    await ctx.exec.run(routeLocalnetArgv(bridge));
  } catch (err) {
    const reason = err instanceof ExecError ? err.stderr.trim().split('\n')[0] : String(err);
    throw new CtrnetError('EXEC_FAILED', `cannot ${doing}: cannot turn on route_localnet for bridge ${bridge} (${reason}); does the bridge exist?`, { cause: err });
  }
}

/** `3 ports (0.0.0.0:8080->80/tcp, ...)` for error messages, kept short for large batches. */
function describePorts(bindings: readonly PortBinding[]): string {
  const shown = bindings.slice(0, 3).map((b) => `${b.hostIp.includes(':') ? `[${b.hostIp}]` : b.hostIp}:${b.hostPort}->${b.containerPort}/${b.protocol}`);
  const more = bindings.length > 3 ? `, and ${bindings.length - 3} more` : '';
  return `${bindings.length} port${bindings.length === 1 ? '' : 's'} (${shown.join(', ')}${more})`;
}
