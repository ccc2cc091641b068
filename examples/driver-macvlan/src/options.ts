/**
 * The macvlan driver's `-o KEY=VAL` options, under Docker's names so a
 * Docker user's `-o parent=eth0 -o macvlan_mode=bridge` works unchanged.
 */
import { invalidArgument, isValidIfName, type NetworkRequest } from '@ctrnet/core';

/** Options as stored on the network. */
export interface MacvlanOptions {
  /** The host interface whose LAN the containers join. */
  parent: string;
  /** Only `bridge`: containers on one parent reach each other directly. */
  macvlan_mode: 'bridge';
}

const KEYS = ['parent', 'macvlan_mode'];

/**
 * Validate a `network create` request and return its options with defaults
 * filled in. Throws INVALID_ARGUMENT naming the bad key or value.
 */
export function normaliseMacvlanOptions(request: Pick<NetworkRequest, 'name' | 'options' | 'internal'>): MacvlanOptions {
  const raw = request.options;
  const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k));
  if (unknown.length) {
    throw invalidArgument(`unknown macvlan driver option "${unknown[0]}"; valid options are parent (a host interface) and macvlan_mode (bridge)`);
  }
  // Docker's --internal macvlan swaps the parent for a dummy link; this
  // kernel has no dummy links, and without one nothing would keep the
  // containers off the LAN.
  if (request.internal) {
    throw invalidArgument(`macvlan network ${request.name} cannot be --internal; drop --internal, or use the bridge driver for an isolated network`);
  }
  const parent = raw.parent;
  if (parent === undefined || parent === '') {
    throw invalidArgument(`macvlan network ${request.name} needs a parent interface; add -o parent=IFNAME (an interface of the host, see: ip link show)`);
  }
  if (!isValidIfName(parent)) {
    throw invalidArgument(`invalid parent "${parent}" for macvlan network ${request.name}: expected an interface name of 1 to 15 characters from [A-Za-z0-9_.-]`);
  }
  const mode = raw.macvlan_mode ?? 'bridge';
  if (mode !== 'bridge') {
    throw invalidArgument(`macvlan_mode "${mode}" is not supported; only bridge is (containers on one parent reach each other directly): use -o macvlan_mode=bridge or leave it out`);
  }
  return { parent, macvlan_mode: mode };
}
