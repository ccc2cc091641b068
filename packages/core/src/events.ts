import type { Endpoint, Network, PortBinding } from './types.js';

/** A container as events describe it. */
export interface ContainerRef {
  id: string;
  name: string;
}

/**
 * The closed list of lifecycle events and their payloads. Subscribing to a
 * name not listed here is an error, so a typo fails at registration, not
 * silently at run time.
 */
export interface LifecycleEvents {
  'container.create': { container: ContainerRef; networkMode: string };
  'container.start': { container: ContainerRef; pid: number };
  'container.stop': { container: ContainerRef; exitCode: number | null };
  'container.remove': { container: ContainerRef };
  'container.rename': { container: ContainerRef; oldName: string };
  'network.create': { network: Network };
  'network.remove': { network: Network };
  'endpoint.join': { container: ContainerRef; network: Network; endpoint: Endpoint };
  'endpoint.leave': { container: ContainerRef; network: Network; endpoint: Endpoint };
  'port.publish': { container: ContainerRef; bindings: PortBinding[] };
  'port.unpublish': { container: ContainerRef; bindings: PortBinding[] };
}

export type LifecycleEventName = keyof LifecycleEvents;

export const LIFECYCLE_EVENT_NAMES: readonly LifecycleEventName[] = [
  'container.create',
  'container.start',
  'container.stop',
  'container.remove',
  'container.rename',
  'network.create',
  'network.remove',
  'endpoint.join',
  'endpoint.leave',
  'port.publish',
  'port.unpublish',
];
