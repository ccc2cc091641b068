import type { FirewallState } from '../publisher.js';
import type { LinkRule } from '../types.js';
import type { RuntimeContext } from './context.js';
import { networkRules } from './context.js';

/** Every rule the store says should exist: what `system reload` and a backend switch re-create. */
export function firewallState(ctx: RuntimeContext): FirewallState {
  const networks = ctx.store.networks.all().flatMap((n) => networkRules(ctx, n) ?? []);
  const links: LinkRule[] = ctx.store
    .containers.all<{ linkRules?: LinkRule[] }>()
    .filter((c) => c.status === 'running')
    .flatMap((c) => (c.spec as { linkRules?: LinkRule[] }).linkRules ?? []);
  return { networks, ports: ctx.store.ports.all(), links };
}
