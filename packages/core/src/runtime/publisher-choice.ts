import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import type { PortPublisher } from '../publisher.js';
import type { RuntimeContext } from './context.js';
import { pluginContext } from './context.js';
import { firewallState } from './firewall-state.js';

const debug = createDebug('ctrnet:core:publisher');

/** Store key of the backend whose rules are currently installed. */
const ACTIVE_KEY = 'portBackend';

/** The backend whose rules are installed, if any network ever needed one. */
export function activeBackend(ctx: RuntimeContext): string | undefined {
  return ctx.store.settings.get(ACTIVE_KEY);
}

export interface PublisherChoice {
  publisher: PortPublisher;
  /** Why this one, for `system info`. */
  reason: string;
}

/**
 * Settle the port backend. An explicit choice (config or $CTRNET_PORT_BACKEND)
 * wins; `auto` keeps the backend already in use (probing costs a process
 * spawn, and rules must not move silently) or probes the candidates. When
 * the choice differs from the installed one, the old backend's rules are
 * removed and the new one re-creates everything from the store.
 */
export async function choosePublisher(ctx: RuntimeContext, probeAll = false): Promise<PublisherChoice> {
  const wanted = ctx.config.portBackend;
  const active = ctx.store.settings.get(ACTIVE_KEY);
  let choice: PublisherChoice;
  if (wanted !== 'auto') {
    choice = { publisher: ctx.registry.portPublisher(wanted), reason: `set by ${ctx.config.portBackendSource}` };
  } else if (active && ctx.registry.portPublisherNames().includes(active) && !probeAll) {
    choice = { publisher: ctx.registry.portPublisher(active), reason: `auto: already in use in ${ctx.config.stateDir}` };
  } else {
    choice = await probe(ctx);
  }
  if (active !== choice.publisher.name) {
    // Under the lock, re-read: a running ctrnetd heals the active backend's rules, so the old rules must
    // not go while the setting still names the old backend (the guard would put them back).
    await ctx.store.lock.withLock(async () => {
      const now = ctx.store.settings.get(ACTIVE_KEY);
      if (now === choice.publisher.name) return;
      if (now && ctx.registry.portPublisherNames().includes(now)) await switchBackend(ctx, ctx.registry.portPublisher(now), choice.publisher);
      ctx.store.settings.set(ACTIVE_KEY, choice.publisher.name);
    });
  }
  return choice;
}

async function probe(ctx: RuntimeContext): Promise<PublisherChoice> {
  const reasons: string[] = [];
  // Publishers declare their rank (nftables is first-class, iptables the fallback); core names none.
  for (const publisher of ctx.registry.portPublishersByPreference()) {
    const result = await publisher.probe(pluginContext(ctx, 'ports', publisher.name));
    debug('probe %s: %o', publisher.name, result);
    if (result.usable) return { publisher, reason: `auto: ${result.reason}` };
    reasons.push(`${publisher.name}: ${result.reason}`);
  }
  throw new CtrnetError(
    'INVALID_CONFIG',
    `no usable port backend (${reasons.join('; ') || 'none loaded'}); install nftables or iptables, or load a port publisher plugin`,
  );
}

async function switchBackend(ctx: RuntimeContext, from: PortPublisher, to: PortPublisher): Promise<void> {
  debug('switching port backend %s -> %s', from.name, to.name);
  await from.reset(pluginContext(ctx, 'ports', from.name));
  await to.reload(pluginContext(ctx, 'ports', to.name), firewallState(ctx));
}
