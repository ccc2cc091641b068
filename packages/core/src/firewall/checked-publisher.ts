import type { PluginContext } from '../driver.js';
import type { FirewallState, PortPublisher } from '../publisher.js';
import type { LinkRule, NetworkRules, PortBinding } from '../types.js';
import { checkBinding, checkLink, checkNetworkRules } from './checks.js';

function checkState(state: FirewallState): void {
  state.networks.forEach(checkNetworkRules);
  state.ports.forEach(checkBinding);
  state.links.forEach(checkLink);
}

/**
 * A publisher whose every input is checked first (see checks.ts), so no
 * backend has to repeat the checks and none can be handed a value that would
 * change the meaning of its script.
 */
export function checkedPublisher(publisher: PortPublisher): PortPublisher {
  return {
    name: publisher.name,
    preference: publisher.preference,
    probe: (ctx) => publisher.probe(ctx),
    async addNetwork(ctx: PluginContext, n: NetworkRules) {
      checkNetworkRules(n);
      await publisher.addNetwork(ctx, n);
    },
    async removeNetwork(ctx: PluginContext, n: NetworkRules) {
      checkNetworkRules(n);
      await publisher.removeNetwork(ctx, n);
    },
    async publish(ctx: PluginContext, b: readonly PortBinding[]) {
      b.forEach(checkBinding);
      await publisher.publish(ctx, b);
    },
    async unpublish(ctx: PluginContext, b: readonly PortBinding[]) {
      b.forEach(checkBinding);
      await publisher.unpublish(ctx, b);
    },
    async addLink(ctx: PluginContext, l: LinkRule) {
      checkLink(l);
      await publisher.addLink(ctx, l);
    },
    async removeLink(ctx: PluginContext, l: LinkRule) {
      checkLink(l);
      await publisher.removeLink(ctx, l);
    },
    async reload(ctx: PluginContext, s: FirewallState) {
      checkState(s);
      await publisher.reload(ctx, s);
    },
    async check(ctx: PluginContext, s: FirewallState) {
      checkState(s);
      return publisher.check(ctx, s);
    },
    reset: (ctx) => publisher.reset(ctx),
    describe: (ctx) => publisher.describe(ctx),
    watch: publisher.watch && ((ctx, onChange) => publisher.watch!(ctx, onChange)),
  };
}
