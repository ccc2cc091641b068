/**
 * The `ip -batch` lines of the bridge driver, built as plain data so unit
 * tests compare them with plain equality. Every name in here has been
 * validated (no blanks, no quotes) before it gets here.
 */
import type { IpCommand } from '@ctrnet/core';

/** What the host side of a network needs. */
export interface BridgeSpec {
  bridge: string;
  /** Gateway with prefix, e.g. `10.250.0.1/24`. */
  address: string;
  mtu?: string;
}

/**
 * Bring a bridge to its planned state. `exists` skips the `link add`, so
 * creating an existing network again only re-asserts address, MTU and state.
 */
export function bridgeUpCommands(spec: BridgeSpec, exists: boolean): IpCommand[] {
  const mtu = spec.mtu ? ['mtu', spec.mtu] : [];
  return [
    ...(exists ? [] : [['link', 'add', spec.bridge, ...mtu, 'type', 'bridge']]),
    // `replace` makes the line idempotent; `broadcast +` derives the broadcast
    // address as Docker (netlink) does, which plain `ip addr add` leaves unset.
    ['addr', 'replace', spec.address, 'broadcast', '+', 'dev', spec.bridge],
    ['link', 'set', spec.bridge, ...mtu, 'up'],
  ];
}

export function bridgeDownCommands(bridge: string): IpCommand[] {
  return [['link', 'del', bridge]];
}

/** One container interface on a bridge. */
export interface VethSpec {
  /** Host-side end, enslaved to the bridge. */
  hostIfname: string;
  /** Container-side end, created directly inside the sandbox under its final name. */
  ifname: string;
  mac: string;
  mtu?: string;
  bridge: string;
  /** Path of the sandbox's network namespace; absent for a handoff, where the peer stays in the host namespace for the engine to move. */
  netns?: string;
}

/**
 * Host side of a join. The peer is created straight inside the sandbox with
 * its final name and MAC (iproute2 applies `netns` to the peer), so no
 * temporary name is ever visible and nothing needs moving afterwards. The
 * MTU goes on both ends: a veth peer does not inherit its partner's.
 */
export function hostJoinCommands(spec: VethSpec): IpCommand[] {
  const mtu = spec.mtu ? ['mtu', spec.mtu] : [];
  return [
    ['link', 'add', spec.hostIfname, ...mtu, 'type', 'veth', 'peer', 'name', spec.ifname, ...mtu, 'address', spec.mac, ...(spec.netns ? ['netns', spec.netns] : [])],
    ['link', 'set', spec.hostIfname, 'master', spec.bridge],
    // Hairpin lets a container reach its own published port through the host
    // address: the DNATed packet must leave through the port it came in on.
    // Docker does the same when its userland proxy is off; ctrnet has no proxy.
    // Bridge-port attributes only exist once the link is enslaved, hence a line of their own.
    ['link', 'set', spec.hostIfname, 'up', 'type', 'bridge_slave', 'hairpin', 'on'],
  ];
}

/** Addressing inside the sandbox. */
export interface SandboxSpec {
  ifname: string;
  /** Address with prefix, e.g. `10.250.0.2/24`. */
  address: string;
  /** Next hop of the default route; absent when this interface does not carry it. */
  defaultVia?: string;
}

export function sandboxJoinCommands(spec: SandboxSpec): IpCommand[] {
  return [
    ['addr', 'add', spec.address, 'broadcast', '+', 'dev', spec.ifname],
    ['link', 'set', spec.ifname, 'up'],
    ...(spec.defaultVia ? [['route', 'replace', 'default', 'via', spec.defaultVia, 'dev', spec.ifname]] : []),
  ];
}

/** Deleting one end of a veth pair deletes both, wherever the other end lives. */
export function leaveCommands(hostIfname: string): IpCommand[] {
  return [['link', 'del', hostIfname]];
}
