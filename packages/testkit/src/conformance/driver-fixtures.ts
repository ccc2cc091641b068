/** The literals the driver suite plans, creates and joins: requests, networks, endpoints, addresses. */
import { bigIntToIpv6, cidr6Range, cidrRange, intToIp, invalidArgument, ipToInt, ipv6ToBigInt, type AddressPool, type Endpoint, type Network, type NetworkDriver, type NetworkRequest } from '@ctrnet/core';
import { hexId } from './harness.js';

/** A MAC a user could give with --mac-address, in the upper case planEndpoint must normalise. */
export const USER_MAC = '92:D0:C6:0A:29:33';

/** The families of a test network beyond the IPv4 default: an IPv6 pool, and IPv4 off for an IPv6-only network. */
export interface NetworkFamilies {
  pool6?: AddressPool;
  ipv4?: boolean;
}

/** A `network create` request as core passes it to planNetwork. */
export function networkRequest(driver: NetworkDriver, pool: AddressPool, options: Record<string, string>, families: NetworkFamilies = {}): NetworkRequest {
  const v4 = families.ipv4 !== false;
  const addressing = driver.usesIpam && v4 ? { subnet: pool.subnet, gateway: pool.gateway, ...(pool.ipRange ? { ipRange: pool.ipRange } : {}) } : {};
  const v6 = driver.usesIpam && families.pool6 ? { subnet6: families.pool6.subnet, gateway6: families.pool6.gateway } : {};
  return { name: 'ctt-conformance', driver: driver.name, internal: false, ...(v4 ? {} : { ipv4: false }), ipv6: families.pool6 !== undefined, options: { ...options }, ...addressing, ...v6 };
}

/** A network as core stores it after planning (and, for IPAM drivers, after IPAM settled the pools). */
export function plannedNetwork(driver: NetworkDriver, pool: AddressPool, options: Record<string, string>, families: NetworkFamilies = {}): Network {
  const id = hexId();
  const plan = driver.planNetwork(networkRequest(driver, pool, options, families), id);
  const v4 = families.ipv4 !== false;
  return {
    id,
    name: 'ctt-conformance',
    driver: driver.name,
    ipamDriver: 'default',
    pool: driver.usesIpam && v4 ? { ...pool } : undefined,
    ...(driver.usesIpam && families.pool6 ? { pool6: { ...families.pool6 } } : {}),
    internal: false,
    ipv4: v4,
    ipv6: families.pool6 !== undefined,
    options: plan.options,
    driverData: plan.driverData,
    created: new Date().toISOString(),
  };
}

/** An endpoint as core hands it to planEndpoint: eth0, carrying the default route. */
export function endpointInput(network: Network, ipv4?: string, ipv6?: string): Endpoint {
  return { id: hexId(), containerId: hexId(), networkId: network.id, ifname: 'eth0', ipv4, ...(ipv6 === undefined ? {} : { ipv6 }), defaultRoute: true };
}

/** The two lowest addresses of an IPv6 pool after the subnet-router anycast address and the gateway. */
export function sandboxAddresses6(pool: AddressPool): [string, string] {
  const { first } = cidr6Range(pool.subnet);
  const gateway = ipv6ToBigInt(pool.gateway);
  const free: string[] = [];
  for (let n = first + 1n; free.length < 2; n++) if (n !== gateway) free.push(bigIntToIpv6(n));
  return [free[0]!, free[1]!];
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
