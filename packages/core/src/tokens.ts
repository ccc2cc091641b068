import type { InjectionToken } from 'tsyringe';
import type { EventBus } from './bus.js';
import type { Config } from './config.js';
import type { Executor } from './exec/executor.js';
import type { Registry } from './registry.js';
import type { Store } from './store/store.js';

/** Where the runtime reads the time: swapped for a fixed clock in tests. */
export interface Clock {
  now(): Date;
}

/**
 * DI tokens of the parts a runtime is composed of. `Runtime.open` fills in
 * a default for every token its caller did not register, so the daemon, the
 * CLI and tests swap a part by registering one token (a channel executor, a
 * recording executor, a fixed clock).
 */
export const CONFIG: InjectionToken<Config> = Symbol.for('ctrnet.config');
export const STORE: InjectionToken<Store> = Symbol.for('ctrnet.store');
export const EXECUTOR: InjectionToken<Executor> = Symbol.for('ctrnet.executor');
export const REGISTRY: InjectionToken<Registry> = Symbol.for('ctrnet.registry');
export const EVENT_BUS: InjectionToken<EventBus> = Symbol.for('ctrnet.eventBus');
export const CLOCK: InjectionToken<Clock> = Symbol.for('ctrnet.clock');
