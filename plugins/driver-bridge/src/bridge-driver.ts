/**
 * Docker's default network model: one Linux bridge per network holding the
 * gateway address, one veth pair per container, the container end moved
 * into the container's namespace as eth0, eth1, ...
 * Firewalling (ICC, masquerade, published ports) belongs to the port
 * publisher, which reads the options this driver normalises.
 */
import createDebug from 'debug';
import {
  CtrnetError,
  cidrRange,
  isValidIfName,
  planAddressedEndpoint,
  type AddressPool,
  type Endpoint,
  type Network,
  type NetworkDriver,
  type NetworkFirewall,
  type NetworkPlan,
  type NetworkRequest,
  type PluginContext,
  type Sandbox,
} from '@ctrnet/core';
import { bridgeDownCommands, bridgeUpCommands, hostJoinCommands, leaveCommands, sandboxJoinCommands } from './commands.js';
import { checkEndpoint } from './check.js';
import { linksOnBridge, probeLink } from './link-probe.js';
import { isOurVeth, vethNameFor } from './names.js';
import { bridgeNameFor, normaliseBridgeOptions } from './options.js';

const debug = createDebug('ctrnet:driver-bridge:driver');

// A netns path goes into an `ip -batch` line, which is split on blanks.
const NETNS_PATH = /^\/[^\s"'\\]+$/;

export class BridgeDriver implements NetworkDriver {
  readonly name = 'bridge';
  readonly sandbox = 'own';
  readonly usesIpam = true;
  readonly ports = 'publish';
  readonly userDefined = true;
  readonly handoff = true;

  planNetwork(request: NetworkRequest, networkId: string): NetworkPlan {
    const options = normaliseBridgeOptions(request.options);
    const bridge = bridgeNameFor(options, networkId, request.builtin);
    if (!isValidIfName(bridge)) {
      throw new CtrnetError('INTERNAL', `network id "${networkId}" gives the invalid bridge name "${bridge}"; network ids are 64 hex characters`);
    }
    return { options, driverData: { bridge } };
  }

  /** Docker's bridge firewall: the bridge is the device; icc, masquerade and the default host IP are options. */
  firewall(network: Network): NetworkFirewall | undefined {
    if (!network.pool) return undefined;
    return {
      device: bridgeOf(network),
      subnet: network.pool.subnet,
      gateway: network.pool.gateway,
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

  private async ensureBridge(ctx: PluginContext, network: Network, existing: { kind?: string } | undefined): Promise<void> {
    const bridge = bridgeOf(network);
    const pool = poolOf(network);
    if (existing && existing.kind !== 'bridge') {
      throw new CtrnetError(
        'CONFLICT',
        `interface ${bridge} already exists and is a ${existing.kind ?? 'device'}, not a bridge; give network ${network.name} another -o bridge_name or remove ${bridge}`,
      );
    }
    const address = `${pool.gateway}/${cidrRange(pool.subnet).prefix}`;
    debug('network %s: bridge %s %s (%s)', network.name, bridge, address, existing ? 'exists' : 'new');
    await ctx.exec.ip(bridgeUpCommands({ bridge, address, mtu: network.options.mtu }, existing !== undefined));
    // A namespace (and a fresh host) starts with forwarding off; without it
    // nothing leaves the bridge. Internal networks need it too: the port
    // publisher, not routing, is what keeps their traffic in.
    await ctx.exec.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
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
    debug('network %s: delete bridge %s', network.name, bridge);
    await ctx.exec.ip(bridgeDownCommands(bridge), { ignoreMissing: true });
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
    const { hostIfname, mac, ipv4, prefixLen } = endpoint;
    if (!hostIfname || !mac || !ipv4 || prefixLen === undefined) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} was not planned (no veth name, MAC or address); call planEndpoint first`);
    }
    const bridge = bridgeOf(network);
    if (sandbox.handoff) {
      // The engine moves the peer into its sandbox, renames and addresses it (Docker's Join).
      debug('join %s to %s as %s, handed over in the host namespace', endpoint.id, bridge, endpoint.ifname);
      await ctx.exec.ip(hostJoinCommands({ hostIfname, ifname: endpoint.ifname, mac, mtu: network.options.mtu, bridge }));
      return;
    }
    if (!NETNS_PATH.test(sandbox.netnsPath)) {
      throw new CtrnetError('INTERNAL', `sandbox path "${sandbox.netnsPath}" of container ${sandbox.containerId} is not an absolute path without blanks or quotes`);
    }
    debug('join %s (%s) to %s as %s in %s', endpoint.id, ipv4, bridge, endpoint.ifname, sandbox.netnsPath);
    await ctx.exec.ip(
      hostJoinCommands({ hostIfname, ifname: endpoint.ifname, mac, mtu: network.options.mtu, bridge, netns: sandbox.netnsPath }),
    );
    await ctx.exec.ip(
      sandboxJoinCommands({ ifname: endpoint.ifname, address: `${ipv4}/${prefixLen}`, defaultVia: defaultRouteVia(network, endpoint) }),
      { netns: sandbox.netnsPath },
    );
  }

  /** The host end on its bridge and up; in the sandbox (unless handed over), the interface up with its address and MAC. */
  async check(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<string[]> {
    return checkEndpoint(ctx.exec, bridgeOf(network), endpoint, sandbox);
  }

  async leave(ctx: PluginContext, _network: Network, endpoint: Endpoint): Promise<void> {
    const hostIfname = endpoint.hostIfname ?? vethNameFor(endpoint.id);
    debug('leave %s: delete %s', endpoint.id, hostIfname);
    await ctx.exec.ip(leaveCommands(hostIfname), { ignoreMissing: true });
  }
}

function bridgeOf(network: Network): string {
  const bridge = network.driverData.bridge;
  if (!bridge || !isValidIfName(bridge)) {
    throw new CtrnetError('INTERNAL', `network ${network.name} has no valid bridge name in its driver data (${JSON.stringify(network.driverData)}); was it planned by the bridge driver?`);
  }
  return bridge;
}

function poolOf(network: Network): AddressPool {
  if (!network.pool) {
    throw new CtrnetError('INTERNAL', `bridge network ${network.name} has no address pool; the bridge driver needs IPAM to assign one`);
  }
  return network.pool;
}

/**
 * Next hop of the default route, if this endpoint carries one. Like Docker,
 * an internal network offers no gateway to its containers; only an explicit
 * `--default-gateway` puts a default route on it.
 */
function defaultRouteVia(network: Network, endpoint: Endpoint): string | undefined {
  if (!endpoint.defaultRoute) return undefined;
  if (endpoint.defaultGateway) return endpoint.defaultGateway;
  return network.internal ? undefined : endpoint.gateway;
}
