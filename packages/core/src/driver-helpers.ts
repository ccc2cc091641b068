/**
 * Building blocks for network drivers, shared by the built-in ones and
 * open to third-party drivers: the planning steps whose rules do not depend
 * on how a driver wires the kernel.
 */
import type { NetworkPlan } from './driver.js';
import { CtrnetError, invalidArgument } from './errors.js';
import { cidrContains, cidrRange } from './net/cidr.js';
import { isValidIpv4 } from './net/ipv4.js';
import { macFromIpv4, normaliseMac } from './net/mac.js';
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
 * interface on the network's subnet (bridge, macvlan, ...): check the
 * allocated address and any `--default-gateway` against the pool, and fill
 * what inspect shows: the MAC (the user's, normalised, or Docker's default
 * derived from the address), the prefix length and the network's gateway.
 *
 * @param driverName Names the driver in errors about the network itself.
 * @throws CtrnetError INVALID_ARGUMENT for a user's address, gateway or MAC;
 *   INTERNAL when the network has no pool or the endpoint no address.
 */
export function planAddressedEndpoint(driverName: string, network: Network, endpoint: Endpoint): Endpoint {
  const pool = network.pool;
  if (!pool) {
    throw new CtrnetError('INTERNAL', `${driverName} network ${network.name} has no address pool; the ${driverName} driver needs IPAM to assign one`);
  }
  const { ipv4 } = endpoint;
  if (!ipv4) {
    throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} on network ${network.name} has no IPv4 address; allocate one before planning the endpoint`);
  }
  if (!isValidIpv4(ipv4)) {
    throw invalidArgument(`invalid IPv4 address "${ipv4}" for network ${network.name}; give an address inside ${pool.subnet}`);
  }
  if (!cidrContains(pool.subnet, ipv4)) {
    throw invalidArgument(`address ${ipv4} is outside network ${network.name}'s subnet ${pool.subnet}; give an address inside it`);
  }
  if (endpoint.defaultGateway !== undefined) checkDefaultGateway(network, pool, endpoint.defaultGateway, ipv4);
  return {
    ...endpoint,
    mac: endpoint.mac ? normaliseMac(endpoint.mac) : macFromIpv4(ipv4),
    prefixLen: cidrRange(pool.subnet).prefix,
    gateway: pool.gateway,
  };
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
