/**
 * Building blocks for network drivers, shared by the built-in ones and
 * open to third-party drivers: the planning steps whose rules do not depend
 * on how a driver wires the kernel.
 */
import type { NetworkPlan } from './driver.js';
import { CtrnetError, invalidArgument } from './errors.js';
import { cidrContains, cidrRange } from './net/cidr.js';
import { cidr6Range } from './net/cidr6.js';
import { isValidIpv4 } from './net/ipv4.js';
import { isValidIpv6 } from './net/ipv6.js';
import { macFromId, macFromIpv4, normaliseMac } from './net/mac.js';
import type { AddressPool, Endpoint, Network, NetworkRequest } from './types.js';

/**
 * `planNetwork` of a driver whose networks have nothing to configure (host,
 * none, container:NAME): refuse any `-o` option and any address pool, since
 * silently ignoring them would let users believe they took effect.
 *
 * @param driverName Names the driver in the error message.
 * @returns The empty plan.
 * @throws CtrnetError INVALID_ARGUMENT naming the options or flags to remove.
 */
export function planEmptyNetwork(driverName: string, request: NetworkRequest): NetworkPlan {
  const keys = Object.keys(request.options);
  if (keys.length > 0) {
    throw invalidArgument(`the ${driverName} driver takes no options, got ${keys.map((k) => `"${k}"`).join(', ')}; remove the -o flags`);
  }
  if (request.subnet || request.ipRange || request.gateway) {
    throw invalidArgument(`the ${driverName} driver has no address pool; remove --subnet, --ip-range and --gateway`);
  }
  return { options: {}, driverData: {} };
}

/**
 * The address part of `planEndpoint` for a driver that gives the sandbox an
 * interface on the network's subnets (bridge, macvlan, ...): check the
 * allocated addresses (one per family the network has) and any
 * `--default-gateway` against the pools, and fill what inspect shows: the
 * MAC (the user's, normalised; else Docker's default derived from the IPv4
 * address; on an IPv6-only network one derived from the endpoint's random
 * id, as Docker 28 picks random ones), the prefix lengths and the gateways.
 *
 * @param driverName Names the driver in errors about the network itself.
 * @throws CtrnetError INVALID_ARGUMENT for a user's address, gateway or MAC;
 *   INTERNAL when the network has no pool or the endpoint lacks an address of a family the network has.
 */
export function planAddressedEndpoint(driverName: string, network: Network, endpoint: Endpoint): Endpoint {
  const { pool, pool6 } = network;
  if (!pool && !pool6) {
    throw new CtrnetError('INTERNAL', `${driverName} network ${network.name} has no address pool; the ${driverName} driver needs IPAM to assign one`);
  }
  const { ipv4, ipv6 } = endpoint;
  if (pool) checkAddress(network, pool, ipv4, 'IPv4', isValidIpv4, endpoint.id);
  if (pool6) checkAddress(network, pool6, ipv6, 'IPv6', isValidIpv6, endpoint.id);
  if (endpoint.defaultGateway !== undefined) {
    if (!pool) throw invalidArgument(`--default-gateway ${endpoint.defaultGateway}: network ${network.name} is IPv6-only, and the default gateway option is IPv4`);
    checkDefaultGateway(network, pool, endpoint.defaultGateway, ipv4!);
  }
  return {
    ...endpoint,
    mac: endpoint.mac ? normaliseMac(endpoint.mac) : ipv4 ? macFromIpv4(ipv4) : macFromId(endpoint.id),
    ...(pool ? { prefixLen: cidrRange(pool.subnet).prefix, gateway: pool.gateway } : {}),
    ...(pool6 ? { prefixLen6: cidr6Range(pool6.subnet).prefix, gateway6: pool6.gateway } : {}),
  };
}

/** An allocated address must be there, of the family, and inside its pool's subnet. */
function checkAddress(network: Network, pool: AddressPool, address: string | undefined, family: string, valid: (ip: string) => boolean, endpointId: string): void {
  if (!address) {
    throw new CtrnetError('INTERNAL', `endpoint ${endpointId} on network ${network.name} has no ${family} address; allocate one before planning the endpoint`);
  }
  if (!valid(address)) throw invalidArgument(`invalid ${family} address "${address}" for network ${network.name}; give an address inside ${pool.subnet}`);
  if (!cidrContains(pool.subnet, address)) {
    throw invalidArgument(`address ${address} is outside network ${network.name}'s subnet ${pool.subnet}; give an address inside it`);
  }
}

/** `--default-gateway` must be a neighbour on this subnet: the kernel refuses an unreachable next hop. */
function checkDefaultGateway(network: Network, pool: AddressPool, gateway: string, ipv4: string): void {
  if (!isValidIpv4(gateway)) {
    throw invalidArgument(`invalid default gateway "${gateway}": expected an IPv4 address on network ${network.name}'s subnet ${pool.subnet}`);
  }
  if (!cidrContains(pool.subnet, gateway)) {
    throw invalidArgument(`default gateway ${gateway} is not on network ${network.name}'s subnet ${pool.subnet}; give an address inside it`);
  }
  if (gateway === ipv4) {
    throw invalidArgument(`default gateway ${gateway} is the container's own address on network ${network.name}; give another host on ${pool.subnet}`);
  }
}

// A netns path goes into an `ip -batch` line, which is split on blanks.
const NETNS_PATH = /^\/[^\s"'\\]+$/;

/**
 * The sandbox's namespace path, checked for a place in an `ip -batch` line
 * (`netns PATH`): absolute, without blanks or quotes.
 *
 * @throws CtrnetError INTERNAL when it is not (core makes these paths; an engine's are checked at attach).
 */
export function batchNetnsPath(sandbox: { netnsPath: string; containerId: string }): string {
  if (!NETNS_PATH.test(sandbox.netnsPath)) {
    throw new CtrnetError('INTERNAL', `sandbox path "${sandbox.netnsPath}" of container ${sandbox.containerId} is not an absolute path without blanks or quotes`);
  }
  return sandbox.netnsPath;
}
