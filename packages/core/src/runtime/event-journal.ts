import type { EventBus } from '../bus.js';
import { LIFECYCLE_EVENT_NAMES, type LifecycleEvents } from '../events.js';
import type { Store } from '../store/store.js';

/** Append every lifecycle event to the store's journal, so `ctrnet events` works without a daemon. */
export function journalEvents(bus: EventBus, store: Store): void {
  for (const name of LIFECYCLE_EVENT_NAMES) {
    bus.on(name, (payload: LifecycleEvents[typeof name]) => {
      const actor = 'container' in payload ? payload.container : 'network' in payload ? { id: payload.network.id, name: payload.network.name } : {};
      store.events.append(name, actor, payload);
    });
  }
}
