/**
 * Docker's macvlan driver, bridge mode: each container gets a macvlan link
 * on a host interface (the parent), with its own MAC, and appears on the
 * parent's LAN as a host of its own. There is no bridge and no NAT, so no
 * firewall rules either: core asks a port publisher only for networks whose
 * driver data names a bridge, and `-p` is discarded (`ports: 'discard'`).
 *
 * Like Docker's, the host itself cannot talk to its containers through the
 * parent: the kernel does not pass frames between a macvlan link and its own
 * parent.
 */
import {
  CtrnetError,
  ExecError,
  invalidArgument,
  isValidIfName,
  planAddressedEndpoint,
  type Endpoint,
  type Network,
  type NetworkDriver,
  type NetworkPlan,
  type NetworkRequest,
  type PluginContext,
  type Sandbox,
} from '@ctrnet/core';
import { hostJoinCommands, hostLeaveCommands, sandboxJoinCommands, sandboxLeaveCommands, tempIfnameFor } from './commands.js';
import { normaliseMacvlanOptions } from './options.js';

// A netns path goes into an `ip -batch` line, which is split on blanks; and
// an empty one would aim the command at the host's own namespace.
const NETNS_PATH = /^\/[^\s"'\\]+$/;

export class MacvlanDriver implements NetworkDriver {
  readonly name = 'macvlan';
  readonly sandbox = 'own';
  readonly usesIpam = true;
  readonly ports = 'discard';
  readonly userDefined = true;

  planNetwork(request: NetworkRequest): NetworkPlan {
    return { options: { ...normaliseMacvlanOptions(request) }, driverData: {} };
  }

  /** Nothing to create; only make sure the parent exists, so the mistake shows at create time. */
  async createNetwork(ctx: PluginContext, network: Network): Promise<void> {
    const parent = parentOf(network);
    try {
      await ctx.exec.run(['ip', '-j', 'link', 'show', 'dev', parent]);
    } catch (err) {
      if (err instanceof ExecError && err.kind === 'missing') {
        throw invalidArgument(`parent interface "${parent}" of macvlan network ${network.name} does not exist; give -o parent= an existing host interface (see: ip link show)`, err);
      }
      throw err;
    }
    ctx.log('network %s: macvlan on %s', network.name, parent);
  }

  /** The links belong to the containers and go on leave; the network itself owns nothing. */
  async deleteNetwork(ctx: PluginContext, network: Network): Promise<void> {
    ctx.log('network %s: nothing to delete', network.name);
  }

  planEndpoint(network: Network, endpoint: Endpoint): Endpoint {
    if (!isValidIfName(endpoint.ifname) || !/^[0-9a-f]{13}/.test(endpoint.id)) {
      throw new CtrnetError('INTERNAL', `endpoint "${endpoint.id}" has an invalid id or interface name "${endpoint.ifname}"; endpoint ids are 64 hex characters`);
    }
    return planAddressedEndpoint(this.name, network, endpoint);
  }

  async join(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    const { mac, ipv4, prefixLen } = endpoint;
    if (!mac || !ipv4 || prefixLen === undefined) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} was not planned (no MAC or address); call planEndpoint first`);
    }
    const netns = netnsOf(sandbox);
    const tempIfname = tempIfnameFor(endpoint.id);
    ctx.log('join %s (%s) on %s as %s in %s', endpoint.id, ipv4, parentOf(network), endpoint.ifname, netns);
    await ctx.exec.ip(hostJoinCommands({ tempIfname, parent: parentOf(network), mac, netns }));
    const defaultVia = endpoint.defaultRoute ? (endpoint.defaultGateway ?? endpoint.gateway) : undefined;
    await ctx.exec.ip(sandboxJoinCommands({ tempIfname, ifname: endpoint.ifname, address: `${ipv4}/${prefixLen}`, defaultVia }), { netns });
  }

  /** Idempotent, and complete after a join that died half-way: the link may be in the host still, or renamed or not. */
  async leave(ctx: PluginContext, _network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    const netns = netnsOf(sandbox);
    const tempIfname = tempIfnameFor(endpoint.id);
    ctx.log('leave %s: delete %s in %s', endpoint.id, endpoint.ifname, netns);
    await ctx.exec.ip(hostLeaveCommands(tempIfname), { ignoreMissing: true });
    await ctx.exec.ip(sandboxLeaveCommands(endpoint.ifname, tempIfname), { netns, ignoreMissing: true });
  }
}

function parentOf(network: Network): string {
  const parent = network.options.parent;
  if (!parent || !isValidIfName(parent)) {
    throw new CtrnetError('INTERNAL', `macvlan network ${network.name} has no valid parent in its options (${JSON.stringify(network.options)}); was it planned by the macvlan driver?`);
  }
  return parent;
}

function netnsOf(sandbox: Sandbox): string {
  if (!NETNS_PATH.test(sandbox.netnsPath)) {
    throw new CtrnetError('INTERNAL', `sandbox path "${sandbox.netnsPath}" of container ${sandbox.containerId} is not an absolute path without blanks or quotes; a macvlan container needs its own namespace`);
  }
  return sandbox.netnsPath;
}
