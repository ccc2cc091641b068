/**
 * The `ip -batch` lines of the macvlan driver, built as plain data so unit
 * tests compare them with plain equality. Every name has been validated
 * (no blanks, no quotes) before it gets here: `ip -batch` splits on blanks.
 */
import type { IpCommand } from '@ctrnet/core';

/**
 * Prefix of the temporary name a macvlan link has in the host namespace
 * between its creation and its move into the sandbox: `mv` + 13 hex chars of
 * the endpoint id (15 is the kernel's limit). `leave` deletes it too, so a
 * join that died half-way leaves nothing behind; never change it, or links
 * leaked by an older version are no longer found.
 */
export const TEMP_IFNAME_PREFIX = 'mv';

export function tempIfnameFor(endpointId: string): string {
  return TEMP_IFNAME_PREFIX + endpointId.slice(0, 13);
}

/** One container interface on a parent's LAN. */
export interface MacvlanLinkSpec {
  /** Name in the host namespace until the link is moved. */
  tempIfname: string;
  parent: string;
  mac: string;
  /** Path of the sandbox's network namespace. */
  netns: string;
}

/**
 * Host side of a join: create the link on the parent with its final MAC (so
 * the LAN never sees a random one), then hand it to the sandbox. The macvlan
 * link stays bound to its parent after the move.
 */
export function hostJoinCommands(spec: MacvlanLinkSpec): IpCommand[] {
  return [
    ['link', 'add', 'link', spec.parent, 'name', spec.tempIfname, 'address', spec.mac, 'type', 'macvlan', 'mode', 'bridge'],
    ['link', 'set', spec.tempIfname, 'netns', spec.netns],
  ];
}

/** Inside the sandbox. */
export interface SandboxSpec {
  tempIfname: string;
  /** Final name: eth0, eth1, ... */
  ifname: string;
  /** Address with prefix, e.g. `10.250.7.2/24`. */
  address: string;
  /** Next hop of the default route; absent when this interface does not carry it. */
  defaultVia?: string;
}

export function sandboxJoinCommands(spec: SandboxSpec): IpCommand[] {
  return [
    ['link', 'set', spec.tempIfname, 'name', spec.ifname],
    // `broadcast +` derives the broadcast address, as Docker (netlink) does.
    ['addr', 'add', spec.address, 'broadcast', '+', 'dev', spec.ifname],
    ['link', 'set', spec.ifname, 'up'],
    ...(spec.defaultVia ? [['route', 'replace', 'default', 'via', spec.defaultVia, 'dev', spec.ifname]] : []),
  ];
}

/** Leave, in the host: a link that never left it (the join died before the move). */
export function hostLeaveCommands(tempIfname: string): IpCommand[] {
  return [['link', 'del', tempIfname]];
}

/** Leave, in the sandbox: the interface under its final name, or still under its temporary one. */
export function sandboxLeaveCommands(ifname: string, tempIfname: string): IpCommand[] {
  return [
    ['link', 'del', ifname],
    ['link', 'del', tempIfname],
  ];
}
