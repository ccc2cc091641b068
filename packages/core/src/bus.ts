import createDebug from 'debug';
import { EventEmitter } from 'eventemitter3';
import { CtrnetError } from './errors.js';
import { LIFECYCLE_EVENT_NAMES, type LifecycleEventName, type LifecycleEvents } from './events.js';

const debug = createDebug('ctrnet:core:bus');

export type Listener<E extends LifecycleEventName> = (payload: LifecycleEvents[E]) => void;
export type Hook<E extends LifecycleEventName> = (payload: LifecycleEvents[E]) => Promise<void> | void;

/** Default time an awaited hook may take before the step fails. */
export const DEFAULT_HOOK_TIMEOUT_MS = 5000;

function assertKnown(event: string): asserts event is LifecycleEventName {
  if (!(LIFECYCLE_EVENT_NAMES as readonly string[]).includes(event)) {
    throw new CtrnetError(
      'INVALID_ARGUMENT',
      `unknown lifecycle event "${event}"; valid events: ${LIFECYCLE_EVENT_NAMES.join(', ')}`,
    );
  }
}

/**
 * The lifecycle event bus. Listeners are notifications (fire and forget; a
 * throwing listener is logged, never fails the operation). Hooks are awaited
 * in subscription order before the operation goes on; a hook that throws or
 * exceeds its timeout fails the step, which is then rolled back.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly hooks = new Map<LifecycleEventName, { hook: Hook<never>; timeoutMs: number; owner: string }[]>();

  /** Subscribe a notification listener. Returns an unsubscribe function. */
  on<E extends LifecycleEventName>(event: E, listener: Listener<E>): () => void {
    assertKnown(event);
    const safe = (payload: LifecycleEvents[E]) => {
      try {
        listener(payload);
      } catch (err) {
        debug('listener for %s threw: %O', event, err);
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  /** Subscribe an awaited hook; `owner` names the plugin in timeout errors. */
  hook<E extends LifecycleEventName>(
    event: E,
    hook: Hook<E>,
    options: { timeoutMs?: number; owner?: string } = {},
  ): () => void {
    assertKnown(event);
    const entry = { hook: hook as Hook<never>, timeoutMs: options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS, owner: options.owner ?? 'anonymous' };
    const list = this.hooks.get(event) ?? [];
    list.push(entry);
    this.hooks.set(event, list);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Run the event's hooks in order (awaited, with timeouts), then notify listeners. */
  async emit<E extends LifecycleEventName>(event: E, payload: LifecycleEvents[E]): Promise<void> {
    assertKnown(event);
    for (const { hook, timeoutMs, owner } of this.hooks.get(event) ?? []) {
      await withTimeout(Promise.resolve((hook as Hook<E>)(payload)), timeoutMs, event, owner);
    }
    this.emitter.emit(event, payload);
  }
}

async function withTimeout(work: Promise<void>, ms: number, event: string, owner: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CtrnetError('HOOK_TIMEOUT', `hook of plugin ${owner} for ${event} did not finish within ${ms} ms; fix or remove the plugin`)),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
