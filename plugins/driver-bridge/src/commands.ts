/**
 * The `ip -batch` lines and sysctl settings of the bridge driver, built as
 * plain data so unit tests compare them with plain equality. Every name in
 * here has been validated (no blanks, no quotes) before it gets here.
 */
import { ifaceKey, type IpCommand, type SysctlSetting } from '@ctrnet/core';

/** What the host side of a network needs. */
export interface BridgeSpec {
  bridge: string;
  /** Gateways with prefix, e.g. `10.250.0.1/24`, `fd00:1::1/64`: one per family the bridge holds an address of. */
  addresses: readonly string[];
  /**
   * The bridge's own MAC, set when it is made. A bridge without one takes the
   * lowest MAC of its ports and changes it as containers come and go, and
   * every other container's neighbour entry for the gateway goes stale: DNS
   * and egress stall until the kernel re-probes. Docker sets one too.
   */
  mac: string;
  mtu?: string;
}

/** Creating a bridge: its own line, so its sysctls can be set before it gets addresses. An existing bridge keeps its MAC (it may be the user's). */
export function bridgeAddCommands(spec: BridgeSpec): IpCommand[] {
  const mtu = spec.mtu ? ['mtu', spec.mtu] : [];
  return [['link', 'add', spec.bridge, 'address', spec.mac, ...mtu, 'type', 'bridge']];
}

/** A stable, locally administered unicast MAC for a network's bridge, from its id (random hex). */
export function bridgeMac(networkId: string): string {
  return ['02', ...(networkId.slice(0, 10).match(/../g) ?? [])].join(':');
}

/**
 * Bring a bridge to its planned addresses, MTU and state. Each line is
 * idempotent (`replace`), so creating an existing network again only
 * re-asserts them. `broadcast +` derives the IPv4 broadcast address as
 * Docker (netlink) does; IPv6 addresses skip duplicate address detection
 * (`nodad`), which would otherwise keep them tentative (unusable, binds fail
 * with EADDRNOTAVAIL) for a second or two; IPAM already made them unique.
 */
export function bridgeUpCommands(spec: BridgeSpec): IpCommand[] {
  const mtu = spec.mtu ? ['mtu', spec.mtu] : [];
  return [...spec.addresses.map((a) => addressLine(a, spec.bridge)), ['link', 'set', spec.bridge, ...mtu, 'up']];
}

/**
 * Host sysctls of a network: IPv6 on the bridge exactly when the network
 * has it (an IPv4-only bridge gets no link-local address to be reached
 * through, CVE-2024-32473's lesson), and forwarding for each family it has.
 * A fresh namespace (and host) starts with forwarding off; without it
 * nothing leaves the bridge. Internal networks need it too: the port
 * publisher, not routing, is what keeps their traffic in.
 */
export function bridgeSysctls(bridge: string, families: { ipv4: boolean; ipv6: boolean }): SysctlSetting[] {
  return [
    [ifaceKey(6, bridge, 'disable_ipv6'), families.ipv6 ? '0' : '1'],
    ...(families.ipv4 ? [['net/ipv4/ip_forward', '1'] as const] : []),
    ...(families.ipv6 ? [['net/ipv6/conf/all/forwarding', '1'] as const] : []),
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
 * host end is created on its bridge and up (the peer stays down until the
 * sandbox brings it up): one line fewer, and with a resident `ip` each line
 * is a round trip. The MTU goes on both ends: a veth peer does not inherit
 * its partner's.
 */
export function hostJoinCommands(spec: VethSpec): IpCommand[] {
  const mtu = spec.mtu ? ['mtu', spec.mtu] : [];
  return [
    ['link', 'add', spec.hostIfname, ...mtu, 'master', spec.bridge, 'up', 'type', 'veth', 'peer', 'name', spec.ifname, ...mtu, 'address', spec.mac, ...(spec.netns ? ['netns', spec.netns] : [])],
    // Hairpin lets a container reach its own published port through the host
    // address: the DNATed packet must leave through the port it came in on.
    // Docker does the same when its userland proxy is off; ctrnet has no proxy.
    // Bridge-port attributes only exist once the link is enslaved, hence a line of their own.
    ['link', 'set', spec.hostIfname, 'type', 'bridge_slave', 'hairpin', 'on'],
  ];
}

/** Addressing inside the sandbox. */
export interface SandboxSpec {
  ifname: string;
  /** Addresses with prefix, e.g. `10.250.0.2/24`, `fd00:1::2/64`: one per family of the network. */
  addresses: readonly string[];
  /** Next hops of the default routes this interface carries (one per family at most). */
  defaultVia: readonly string[];
}

/**
 * Sandbox sysctls of an interface, set before it comes up: with IPv6 the
 * interface ignores router advertisements (its address and route are
 * ctrnet's, a rogue RA on the bridge must not add others); without, IPv6 is
 * off on it, so it gets no link-local address and answers nothing over IPv6
 * (Docker 26.0.2, CVE-2024-32473).
 */
export function sandboxSysctls(ifname: string, ipv6: boolean): SysctlSetting[] {
  return ipv6 ? [[ifaceKey(6, ifname, 'accept_ra'), '0']] : [[ifaceKey(6, ifname, 'disable_ipv6'), '1']];
}

export function sandboxJoinCommands(spec: SandboxSpec): IpCommand[] {
  return [
    ...spec.addresses.map((a) => addressLine(a, spec.ifname, 'add')),
    ['link', 'set', spec.ifname, 'up'],
    ...spec.defaultVia.map((via) => ['route', 'replace', 'default', 'via', via, 'dev', spec.ifname]),
  ];
}

/**
 * Cutting a container's veth off while its namespace is being deleted (which
 * destroys the pair a moment later, without the 15–25 ms RCU wait of a
 * `link del`). Down is enough, and costs ~0.4 ms: a bridge port that goes
 * down is disabled, so the bridge forgets the MACs it learnt on it and
 * forwards nothing to it (a new container may take the same address and
 * MAC at once), and its peer loses carrier, so nothing that still holds the
 * namespace can send. If something does hold it, the port stays on the
 * bridge, down, until gc or the network's removal deletes it.
 */
export function cutOffCommands(hostIfname: string): IpCommand[] {
  return [['link', 'set', hostIfname, 'down']];
}

/** Deleting one end of a veth pair deletes both, wherever the other end lives. */
export function leaveCommands(hostIfname: string): IpCommand[] {
  return [['link', 'del', hostIfname]];
}

/** An address line: IPv4 with its broadcast derived, IPv6 without duplicate address detection. */
function addressLine(address: string, dev: string, verb: 'add' | 'replace' = 'replace'): IpCommand {
  return address.includes(':') ? ['addr', verb, address, 'dev', dev, 'nodad'] : ['addr', verb, address, 'broadcast', '+', 'dev', dev];
}
