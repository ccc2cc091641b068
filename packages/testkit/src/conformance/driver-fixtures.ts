/** The literals the driver suite plans, creates and joins: requests, networks, endpoints, addresses. */
import { cidrRange, intToIp, invalidArgument, ipToInt, type AddressPool, type Endpoint, type Network, type NetworkDriver, type NetworkRequest } from '@ctrnet/core';
import { hexId } from './harness.js';

/** A MAC a user could give with --mac-address, in the upper case planEndpoint must normalise. */
export const USER_MAC = '92:D0:C6:0A:29:33';

/** A `network create` request as core passes it to planNetwork. */
export function networkRequest(driver: NetworkDriver, pool: AddressPool, options: Record<string, string>): NetworkRequest {
  const addressing = driver.usesIpam ? { subnet: pool.subnet, gateway: pool.gateway, ...(pool.ipRange ? { ipRange: pool.ipRange } : {}) } : {};
  return { name: 'ctt-conformance', driver: driver.name, internal: false, ipv6: false, options: { ...options }, ...addressing };
}

/** A network as core stores it after planning (and, for IPAM drivers, after IPAM settled the pool). */
export function plannedNetwork(driver: NetworkDriver, pool: AddressPool, options: Record<string, string>): Network {
  const id = hexId();
  const plan = driver.planNetwork(networkRequest(driver, pool, options), id);
  return {
    id,
    name: 'ctt-conformance',
    driver: driver.name,
    ipamDriver: 'default',
    pool: driver.usesIpam ? { ...pool } : undefined,
    internal: false,
    ipv6: false,
    options: plan.options,
    driverData: plan.driverData,
    created: new Date().toISOString(),
  };
}

/** An endpoint as core hands it to planEndpoint: eth0, carrying the default route. */
export function endpointInput(network: Network, ipv4?: string): Endpoint {
  return { id: hexId(), containerId: hexId(), networkId: network.id, ifname: 'eth0', ipv4, defaultRoute: true };
}

/** The two lowest addresses of the pool's range after network address and gateway: what the suite's sandboxes get. */
export function sandboxAddresses(pool: AddressPool): [string, string] {
  const subnet = cidrRange(pool.subnet);
  const range = cidrRange(pool.ipRange ?? pool.subnet);
  const taken = new Set([subnet.first, subnet.last, ipToInt(pool.gateway)]);
  const free: string[] = [];
  for (let n = range.first; n <= range.last && free.length < 2; n++) if (!taken.has(n)) free.push(intToIp(n));
  if (free.length < 2) throw invalidArgument(`pool ${JSON.stringify(pool)} has no room for two sandboxes; give the suite a bigger pool`);
  return [free[0]!, free[1]!];
}
