import type { InjectionToken } from 'tsyringe';
import type { EventBus } from './bus.js';
import type { Executor } from './exec/executor.js';
import type { Registry } from './registry.js';

/** DI tokens of the services core puts into every plugin's container. */
export const EXECUTOR: InjectionToken<Executor> = Symbol.for('ctrnet.executor');
export const EVENT_BUS: InjectionToken<EventBus> = Symbol.for('ctrnet.eventBus');
export const REGISTRY: InjectionToken<Registry> = Symbol.for('ctrnet.registry');
