/**
 * The kernel plans of the overlay driver, as plain data: `ip -batch` lines
 * and `bridge -batch` lines. Every name and address in here has been
 * validated before it gets here.
 *
 * Layout on each host, per network (flannel's model, with the tunnel as a
 * port of the bridge):
 *
 *     container eth0 ── veth ──┐
 *                              ├─ ovb-ID (bridge, slice gateway, MAC from it)
 *     ovx-ID (vxlan VNI, nolearning, no flooding) ──┘
 *
 * and per remote host R: a route to R's slice via R's gateway on the
 * bridge, a permanent neighbour entry for that gateway with R's bridge MAC,
 * a static bridge FDB entry sending that MAC to the VXLAN port, and a VXLAN
 * FDB entry sending it to R's advertise address. Cross-host traffic thus
 * enters and leaves through the bridge, which is what the port publisher
 * firewalls: the same rules as a bridge network apply.
 */
import type { IpCommand } from '@ctrnet/core';
import { VXLAN_PORT } from './names.js';

export interface LocalSide {
  bridge: string;
  vxlan: string;
  /** Gateway with the slice prefix, e.g. `10.200.3.1/24`. */
  address: string;
  /** The bridge's MAC: what remote hosts address this host's containers' traffic to. */
  mac: string;
  mtu: number;
  vni: number;
  /** This host's address on the shared network (the tunnel's source). */
  local: string;
}

/** Bridge and VXLAN device, in place. `exists` skips the `link add`s, so a repeat only re-asserts state. */
export function localUpCommands(side: LocalSide, exists: { bridge: boolean; vxlan: boolean }): IpCommand[] {
  const mtu = String(side.mtu);
  return [
    ...(exists.bridge ? [] : [['link', 'add', side.bridge, 'address', side.mac, 'mtu', mtu, 'type', 'bridge']]),
    ['addr', 'replace', side.address, 'broadcast', '+', 'dev', side.bridge],
    ['link', 'set', side.bridge, 'address', side.mac, 'mtu', mtu, 'up'],
    ...(exists.vxlan
      ? []
      : [['link', 'add', side.vxlan, 'mtu', mtu, 'type', 'vxlan', 'id', String(side.vni), 'local', side.local, 'dstport', String(VXLAN_PORT), 'nolearning']]),
    ['link', 'set', side.vxlan, 'master', side.bridge],
    // Only the static FDB entries send frames into the tunnel: no learning,
    // no flooding of broadcasts or unknown destinations to every host.
    ['link', 'set', side.vxlan, 'up', 'type', 'bridge_slave', 'learning', 'off', 'flood', 'off', 'mcast_flood', 'off', 'bcast_flood', 'off'],
  ];
}

export function localDownCommands(bridge: string, vxlan: string): IpCommand[] {
  return [['link', 'del', vxlan], ['link', 'del', bridge]];
}

/** A remote host's end of one network, as its tunnel-endpoint record tells. */
export interface RemoteSide {
  host: string;
  /** Its advertise address (the tunnel's destination). */
  address: string;
  /** Its bridge MAC. */
  mac: string;
  /** Its slice, e.g. `10.200.5.0/24`. */
  slice: string;
  /** Its gateway (first address of the slice). */
  gateway: string;
}

export function remoteIpCommands(bridge: string, r: RemoteSide): IpCommand[] {
  return [
    ['neigh', 'replace', r.gateway, 'lladdr', r.mac, 'dev', bridge, 'nud', 'permanent'],
    ['route', 'replace', r.slice, 'via', r.gateway, 'dev', bridge, 'onlink'],
  ];
}

export function remoteFdbLines(vxlan: string, r: RemoteSide): string[] {
  return [`fdb replace ${r.mac} dev ${vxlan} dst ${r.address} self permanent`, `fdb replace ${r.mac} dev ${vxlan} master static`];
}

/** Removal of a remote host's entries, by what the kernel holds (the record may be gone). */
export function remoteIpRemoval(bridge: string, slice: string, gateway: string): IpCommand[] {
  return [
    ['route', 'del', slice, 'dev', bridge],
    ['neigh', 'del', gateway, 'dev', bridge],
  ];
}

export function remoteFdbRemoval(vxlan: string, mac: string): string[] {
  return [`fdb del ${mac} dev ${vxlan} self`, `fdb del ${mac} dev ${vxlan} master`];
}

/** One container interface on the network's bridge (the bridge driver's layout, with the overlay's MTU). */
export interface VethSpec {
  hostIfname: string;
  ifname: string;
  mac: string;
  mtu: number;
  bridge: string;
  netns: string;
}

/**
 * The host side of a join. The neighbour entry is what makes a new container
 * reachable from other hosts at once: their packets may have reached this
 * host before the container existed, leaving an incomplete entry that the
 * kernel would only re-probe a second later.
 */
export function hostJoinCommands(spec: VethSpec & { address: string }): IpCommand[] {
  const mtu = ['mtu', String(spec.mtu)];
  return [
    // Created on its bridge and up (its peer stays down until the sandbox brings it up): a line less.
    ['link', 'add', spec.hostIfname, ...mtu, 'master', spec.bridge, 'up', 'type', 'veth', 'peer', 'name', spec.ifname, ...mtu, 'address', spec.mac, 'netns', spec.netns],
    ['link', 'set', spec.hostIfname, 'type', 'bridge_slave', 'hairpin', 'on'],
    ['neigh', 'replace', spec.address, 'lladdr', spec.mac, 'dev', spec.bridge, 'nud', 'reachable'],
  ];
}

/**
 * The host side of a leave: the veth (both ends go), and the neighbour entry
 * the join made. `flush` rather than `del`: the kernel may have dropped the
 * entry already, and a flush that matches nothing succeeds.
 */
export function leaveCommands(hostIfname: string, address: string | undefined, bridge: string): IpCommand[] {
  return [['link', 'del', hostIfname], ...(address ? [['neigh', 'flush', 'to', address, 'dev', bridge]] : [])];
}

export interface SandboxSpec {
  ifname: string;
  /** Address with the slice prefix. */
  address: string;
  gateway: string;
  /** The cluster subnet, routed via the gateway (other hosts' slices). */
  subnet: string;
  /** This host's slice (on-link). */
  slice: string;
  /** Whether this interface carries the default route. */
  defaultRoute: boolean;
}

export function sandboxJoinCommands(spec: SandboxSpec): IpCommand[] {
  return [
    ['addr', 'add', spec.address, 'broadcast', '+', 'dev', spec.ifname],
    ['link', 'set', spec.ifname, 'up'],
    // A slice as big as the subnet (one host) leaves nothing to route.
    ...(spec.subnet !== spec.slice ? [['route', 'replace', spec.subnet, 'via', spec.gateway, 'dev', spec.ifname]] : []),
    ...(spec.defaultRoute ? [['route', 'replace', 'default', 'via', spec.gateway, 'dev', spec.ifname]] : []),
  ];
}
