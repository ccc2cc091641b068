/**
 * Docker's default network model: one Linux bridge per network holding the
 * gateway addresses (IPv4, IPv6 or both), one veth pair per container, the
 * container end moved into the container's namespace as eth0, eth1, ...
 * Firewalling (ICC, masquerade, gateway modes, published ports) belongs to
 * the port publisher, which reads the options this driver normalises.
 */
import createDebug from 'debug';
import {
  CtrnetError,
  batchNetnsPath,
  cidr6Range,
  cidrRange,
  isValidIfName,
  planAddressedEndpoint,
  sysctlArgv,
  type Endpoint,
  type GatewayMode,
  type LeaveOptions,
  type Network,
  type NetworkDriver,
  type NetworkFirewall,
  type NetworkPlan,
  type NetworkRequest,
  type PluginContext,
  type Sandbox,
} from '@ctrnet/core';
import { bridgeAddCommands, bridgeDownCommands, bridgeMac, bridgeSysctls, bridgeUpCommands, cutOffCommands, hostJoinCommands, leaveCommands, sandboxJoinCommands, sandboxSysctls } from './commands.js';
import { checkEndpoint } from './check.js';
import { linksOnBridge, probeLink } from './link-probe.js';
import { isOurVeth, vethNameFor } from './names.js';
import { bridgeNameFor, checkOptionsFitRequest, normaliseBridgeOptions } from './options.js';

const debug = createDebug('ctrnet:driver-bridge:driver');

export class BridgeDriver implements NetworkDriver {
  readonly name = 'bridge';
  readonly sandbox = 'own';
  readonly usesIpam = true;
  readonly ipv6 = true;
  readonly ports = 'publish';
  readonly userDefined = true;
  readonly handoff = true;

  planNetwork(request: NetworkRequest, networkId: string): NetworkPlan {
    const options = normaliseBridgeOptions(request.options);
    checkOptionsFitRequest(options, request);
    const bridge = bridgeNameFor(options, networkId, request.builtin);
    if (!isValidIfName(bridge)) {
      throw new CtrnetError('INTERNAL', `network id "${networkId}" gives the invalid bridge name "${bridge}"; network ids are 64 hex characters`);
    }
    return { options, driverData: { bridge } };
  }

  /**
   * Docker's bridge firewall: the bridge is the device; icc, masquerade,
   * the gateway modes and the default host IP are options. A family in
   * gateway mode `isolated` has no gateway (the bridge holds no address of it).
   */
  firewall(network: Network): NetworkFirewall | undefined {
    const { pool, pool6 } = network;
    if (!pool && !pool6) return undefined;
    const mode4 = modeOf(network, 4);
    const mode6 = modeOf(network, 6);
    return {
      device: bridgeOf(network),
      ...(pool && { subnet: pool.subnet, ...(mode4 !== 'isolated' && { gateway: pool.gateway }), ...(mode4 && { gatewayMode: mode4 }) }),
      ...(pool6 && { subnet6: pool6.subnet, ...(mode6 !== 'isolated' && { gateway6: pool6.gateway }), ...(mode6 && { gatewayMode6: mode6 }) }),
      icc: network.options.icc !== 'false',
      masquerade: network.options.masquerade !== 'false',
      defaultHostIp: network.options.host_binding_ipv4 || '0.0.0.0',
    };
  }

  async createNetwork(ctx: PluginContext, network: Network): Promise<void> {
    await this.ensureBridge(ctx, network, await probeLink(ctx.exec, bridgeOf(network)));
  }

  /** Re-create a bridge that vanished (reboot); remove veths on it that no endpoint owns (a crash between link and record). */
  async reconcile(ctx: PluginContext, network: Network, endpoints: readonly Endpoint[]): Promise<string[]> {
    const bridge = bridgeOf(network);
    const fixed: string[] = [];
    const existing = await probeLink(ctx.exec, bridge);
    if (!existing) {
      await this.ensureBridge(ctx, network, undefined);
      fixed.push(`re-created missing bridge ${bridge} of network ${network.name}`);
      return fixed;
    }
    const owned = new Set(endpoints.map((e) => e.hostIfname ?? vethNameFor(e.id)));
    for (const link of await linksOnBridge(ctx.exec, bridge)) {
      if (!isOurVeth(link) || owned.has(link)) continue;
      await ctx.exec.ip(leaveCommands(link), { ignoreMissing: true });
      fixed.push(`removed leaked interface ${link} from bridge ${bridge} of network ${network.name}`);
    }
    return fixed;
  }

  /**
   * Create (or re-assert) the bridge: the link, then its sysctls (IPv6 must
   * be on before an IPv6 address can be added), then addresses and state.
   */
  private async ensureBridge(ctx: PluginContext, network: Network, existing: { kind?: string } | undefined): Promise<void> {
    const bridge = bridgeOf(network);
    if (!network.pool && !network.pool6) {
      throw new CtrnetError('INTERNAL', `bridge network ${network.name} has no address pool; the bridge driver needs IPAM to assign one`);
    }
    if (existing && existing.kind !== 'bridge') {
      throw new CtrnetError(
        'CONFLICT',
        `interface ${bridge} already exists and is a ${existing.kind ?? 'device'}, not a bridge; give network ${network.name} another -o bridge_name or remove ${bridge}`,
      );
    }
    const addresses = bridgeAddresses(network);
    const spec = { bridge, addresses, mac: bridgeMac(network.id), mtu: network.options.mtu };
    debug('network %s: bridge %s %o (%s)', network.name, bridge, addresses, existing ? 'exists' : 'new');
    if (!existing) await ctx.exec.ip(bridgeAddCommands(spec));
    const ipv6 = network.pool6 !== undefined;
    // Without IPv6 on the network, a host booted with ipv6.disable=1 lacks the keys; that is fine.
    await ctx.exec.run(sysctlArgv(bridgeSysctls(bridge, { ipv4: network.pool !== undefined, ipv6 }), { ignoreMissing: !ipv6 }));
    await ctx.exec.ip(bridgeUpCommands(spec));
  }

  /**
   * Delete the network's bridge, and only a bridge: the undo of a create
   * that was refused because `-o bridge_name` named another device (lo, a
   * NIC, a veth) must leave that device alone.
   */
  async deleteNetwork(ctx: PluginContext, network: Network): Promise<void> {
    const bridge = bridgeOf(network);
    const existing = await probeLink(ctx.exec, bridge);
    if (existing?.kind !== 'bridge') {
      debug('network %s: %s is %s, nothing to delete', network.name, bridge, existing ? `a ${existing.kind ?? 'device'}` : 'gone');
      return;
    }
    // Ports a leave cut off whose namespace someone still holds: the bridge's deletion would only free them.
    const leftovers = (await linksOnBridge(ctx.exec, bridge)).filter(isOurVeth);
    debug('network %s: delete bridge %s%s', network.name, bridge, leftovers.length ? ` and ${leftovers.join(', ')}` : '');
    await ctx.exec.ip([...leftovers.flatMap(leaveCommands), ...bridgeDownCommands(bridge)], { ignoreMissing: true });
  }

  planEndpoint(network: Network, endpoint: Endpoint): Endpoint {
    if (!isValidIfName(endpoint.ifname)) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} has the invalid interface name "${endpoint.ifname}"`);
    }
    if (!/^[0-9a-f]{13}/.test(endpoint.id)) {
      throw new CtrnetError('INTERNAL', `endpoint id "${endpoint.id}" is not a hex id; endpoint ids are 64 hex characters`);
    }
    return { ...planAddressedEndpoint(this.name, network, endpoint), hostIfname: vethNameFor(endpoint.id) };
  }

  async join(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    const { hostIfname, mac, ipv6 } = endpoint;
    const addresses = endpointAddresses(endpoint);
    if (!hostIfname || !mac || addresses.length === 0) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} was not planned (no veth name, MAC or address); call planEndpoint first`);
    }
    const bridge = bridgeOf(network);
    if (sandbox.handoff) {
      // The engine moves the peer into its sandbox, renames and addresses it (Docker's Join).
      debug('join %s to %s as %s, handed over in the host namespace', endpoint.id, bridge, endpoint.ifname);
      await ctx.exec.ip(hostJoinCommands({ hostIfname, ifname: endpoint.ifname, mac, mtu: network.options.mtu, bridge }));
      return;
    }
    batchNetnsPath(sandbox);
    debug('join %s (%o) to %s as %s in %s', endpoint.id, addresses, bridge, endpoint.ifname, sandbox.netnsPath);
    await ctx.exec.ip(
      hostJoinCommands({ hostIfname, ifname: endpoint.ifname, mac, mtu: network.options.mtu, bridge, netns: sandbox.netnsPath }),
    );
    // An IPv4-only interface on a host without IPv6 has no IPv6 keys to turn off.
    await ctx.exec.run(sysctlArgv(sandboxSysctls(endpoint.ifname, ipv6 !== undefined), { ignoreMissing: ipv6 === undefined }), { netns: sandbox.netnsPath });
    await ctx.exec.ip(sandboxJoinCommands({ ifname: endpoint.ifname, addresses, defaultVia: defaultRoutesVia(network, endpoint) }), { netns: sandbox.netnsPath });
  }

  /** The host end on its bridge and up; in the sandbox (unless handed over), the interface up with its address and MAC. */
  async check(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<string[]> {
    return checkEndpoint(ctx.exec, bridgeOf(network), endpoint, sandbox);
  }

  /** Delete the veth; when the sandbox is going (its namespace is deleted next), only set the host end down: the pair dies with the namespace. */
  async leave(ctx: PluginContext, _network: Network, endpoint: Endpoint, _sandbox: Sandbox, options: LeaveOptions = {}): Promise<void> {
    const hostIfname = endpoint.hostIfname ?? vethNameFor(endpoint.id);
    debug('leave %s: %s %s', endpoint.id, options.sandboxGoing ? 'cut off' : 'delete', hostIfname);
    await ctx.exec.ip(options.sandboxGoing ? cutOffCommands(hostIfname) : leaveCommands(hostIfname), { ignoreMissing: true });
  }
}

function bridgeOf(network: Network): string {
  const bridge = network.driverData.bridge;
  if (!bridge || !isValidIfName(bridge)) {
    throw new CtrnetError('INTERNAL', `network ${network.name} has no valid bridge name in its driver data (${JSON.stringify(network.driverData)}); was it planned by the bridge driver?`);
  }
  return bridge;
}

function modeOf(network: Network, family: 4 | 6): GatewayMode | undefined {
  return network.options[family === 4 ? 'gateway_mode_ipv4' : 'gateway_mode_ipv6'] as GatewayMode | undefined;
}

/** The bridge's own addresses: each family's gateway with the subnet's prefix, except in gateway mode `isolated`. */
function bridgeAddresses(network: Network): string[] {
  const out: string[] = [];
  if (network.pool && modeOf(network, 4) !== 'isolated') out.push(`${network.pool.gateway}/${cidrRange(network.pool.subnet).prefix}`);
  if (network.pool6 && modeOf(network, 6) !== 'isolated') out.push(`${network.pool6.gateway}/${cidr6Range(network.pool6.subnet).prefix}`);
  return out;
}

/** The endpoint's addresses with their prefixes, IPv4 first. */
function endpointAddresses(endpoint: Endpoint): string[] {
  const out: string[] = [];
  if (endpoint.ipv4 && endpoint.prefixLen !== undefined) out.push(`${endpoint.ipv4}/${endpoint.prefixLen}`);
  if (endpoint.ipv6 && endpoint.prefixLen6 !== undefined) out.push(`${endpoint.ipv6}/${endpoint.prefixLen6}`);
  return out;
}

/**
 * Next hops of the default routes, if this endpoint carries them: one per
 * family. Like Docker, an internal network offers no gateway to its
 * containers; only an explicit `--default-gateway` (IPv4) puts a default
 * route on it.
 */
function defaultRoutesVia(network: Network, endpoint: Endpoint): string[] {
  if (!endpoint.defaultRoute) return [];
  const via: string[] = [];
  if (endpoint.defaultGateway) via.push(endpoint.defaultGateway);
  else if (!network.internal && endpoint.ipv4 && endpoint.gateway) via.push(endpoint.gateway);
  if (!network.internal && endpoint.ipv6 && endpoint.gateway6) via.push(endpoint.gateway6);
  return via;
}
