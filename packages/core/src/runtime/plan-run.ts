import { hostname as osHostname } from 'node:os';
import { CtrnetError, invalidArgument } from '../errors.js';
import { cidrContains, cidrRange } from '../net/cidr.js';
import { cidr6Range } from '../net/cidr6.js';
import { intToIp, isValidIpv4 } from '../net/ipv4.js';
import { bigIntToIpv6, canonicalIpv6, isValidIpv6 } from '../net/ipv6.js';
import type { Network } from '../types.js';
import type { ContainerRecord } from '../store/store.js';
import type { RuntimeContext } from './context.js';
import { generateName, newId } from './ids.js';
import { BUILTIN_NETWORKS, type Networks } from './networks.js';
import type { RunSpec } from './run-spec.js';
import { splitNetworkMode, type ContainerSpec } from './spec.js';
import { resolveUser } from './users.js';
import { checkContainerName, checkHostname, checkSignal, quote } from './validate.js';

/**
 * Validate a run request against the store and the drivers, with no side
 * effects, and return the container record to create. Everything a user can
 * get wrong fails here, before the kernel is touched (exit status 2).
 */
export function planRun(ctx: RuntimeContext, networks: Networks, spec: RunSpec, autoRemove: boolean): ContainerRecord<ContainerSpec> {
  const id = newId();
  const name = spec.name ? checkContainerName(spec.name) : uniqueGeneratedName(ctx);
  if (ctx.store.containers.nameTaken(name)) {
    throw new CtrnetError('CONFLICT', `container name ${quote(name)} is already in use; remove it (ctrnet rm -f ${name}) or pick another --name`);
  }
  if (!spec.command.length) throw invalidArgument('no command given; usage: ctrnet run [OPTIONS] [--] COMMAND [ARG...]');

  const [mode, target] = splitNetworkMode(spec.network);
  const driverName = mode === 'host' || mode === 'none' || mode === 'container' ? mode : networks.get(mode).driver;
  const driver = ctx.registry.networkDriver(driverName);
  for (const option of driver.refusedRunOptions ?? []) {
    if (spec.given.includes(option)) {
      throw invalidArgument(`conflicting options: --${option} cannot be used with --net ${spec.network}; drop --${option}`);
    }
  }
  if (driver.ports === 'refuse' && (spec.publish.length || spec.publishAll)) {
    throw invalidArgument(`conflicting options: port publishing cannot be used with --net ${spec.network}; publish on the container that owns the network namespace`);
  }
  const warnings: string[] = [];
  // Docker warns for -p in host mode; ctrnet does the same for -P, and for both with --net none.
  if (driver.ports === 'discard' && (spec.publish.length || spec.publishAll)) warnings.push(`WARNING: Published ports are discarded when using ${driverName} network mode`);

  if (mode === 'container') {
    const other = target ? ctx.store.containers.find(target) : undefined;
    if (!other) throw new CtrnetError('NOT_FOUND', `container ${quote(target ?? '')} not found for --net ${spec.network}; start that container first`);
    if (other.status !== 'running') throw new CtrnetError('INVALID_STATE', `container ${other.name} is not running; start it before using --net ${spec.network}`);
  }

  const networkIds: string[] = [];
  let ip6 = spec.ip6;
  if (driver.sandbox === 'own' && driver.usesIpam) {
    const network = networks.get(mode);
    networkIds.push(network.id);
    // Docker's rule (and message): fixed addresses only on networks the user made.
    for (const [flag, value] of [['--ip', spec.ip], ['--ip6', spec.ip6]] as const) {
      if (value && (BUILTIN_NETWORKS as readonly string[]).includes(network.name)) {
        throw invalidArgument(`invalid ${flag} ${quote(value)}: user specified IP address is supported on user defined networks only; create one with ctrnet network create --subnet CIDR NAME`);
      }
    }
    if (network.ipv4 !== false) checkAddressOptions(ctx, network.pool?.subnet ?? ctx.config.defaultNetwork.subnet, network.pool?.gateway, network.id, spec);
    else if (spec.ip) throw invalidArgument(`--ip ${quote(spec.ip)}: network ${network.name} is IPv6-only; give an IPv6 address with --ip6`);
    else if (spec.defaultGateway) throw invalidArgument(`--default-gateway ${quote(spec.defaultGateway)}: network ${network.name} is IPv6-only, and --default-gateway is IPv4`);
    if (spec.ip6 !== undefined) ip6 = checkIpv6Option(ctx, network, spec.ip6);
    checkPublishFamilies(network, spec);
    if (network.internal && spec.publish.length) warnings.push(`WARNING: network ${network.name} is internal; published ports are discarded`);
  } else if (driver.sandbox === 'own') {
    networkIds.push(networks.get(mode).id);
  }
  if (spec.ip && !driver.usesIpam) throw invalidArgument(`--ip ${quote(spec.ip)} needs a network with addresses; --net ${spec.network} has none`);
  if (spec.ip6 && !driver.usesIpam) throw invalidArgument(`--ip6 ${quote(spec.ip6)} needs a network with addresses; --net ${spec.network} has none`);

  for (const [linkName] of spec.links) {
    const linked = ctx.store.containers.find(linkName);
    if (!linked) throw new CtrnetError('NOT_FOUND', `could not find linked container ${quote(linkName)} for --link; start it first`);
    if (linked.status !== 'running') throw new CtrnetError('INVALID_STATE', `linked container ${linked.name} is not running; start it first`);
  }
  const hostname = spec.hostname ? checkHostname(spec.hostname) : mode === 'host' ? osHostname() : id.slice(0, 12);
  if (spec.stopSignal !== undefined) checkSignal(spec.stopSignal);
  if (spec.workdir !== undefined && !spec.workdir.startsWith('/')) throw invalidArgument(`invalid --workdir ${quote(spec.workdir)}: expected an absolute path`);
  const userIds = spec.user === undefined ? undefined : resolveUser(spec.user);
  const aliases = spec.networkAliases ?? [];
  aliases.forEach((a) => checkHostname(a));
  if (aliases.length && (networkIds.length === 0 || networks.get(networkIds[0]!).name === 'bridge')) {
    throw invalidArgument(`network-scoped aliases are supported only for containers on user-defined networks; drop --network-alias or run on a network made with ctrnet network create`);
  }

  return {
    id,
    name,
    status: 'created',
    networkMode: spec.network,
    spec: { ...spec, ...(ip6 === undefined ? {} : { ip6 }), name, hostname, networks: networkIds, autoRemove, warnings, userIds },
    runId: 0,
    created: ctx.clock.now().toISOString(),
  };
}

/** `--ip` (also `network connect --ip`): an IPv4 address inside the subnet, not its network, broadcast or gateway address, and free. */
export function checkIpv4Option(ctx: RuntimeContext, subnet: string, gateway: string | undefined, networkId: string, ip: string): void {
  const { first, last } = cidrRange(subnet);
  if (!isValidIpv4(ip)) throw invalidArgument(`invalid --ip ${quote(ip)}: expected an IPv4 address inside ${subnet}`);
  if (!cidrContains(subnet, ip)) throw invalidArgument(`--ip ${ip} is outside the network's subnet ${subnet}; pick an address inside it`);
  if (ip === intToIp(first) || ip === intToIp(last) || ip === (gateway || intToIp(first + 1))) {
    throw invalidArgument(`--ip ${ip} is the network, broadcast or gateway address of ${subnet}; pick another address`);
  }
  const owner = ctx.store.addresses.ownerOf(networkId, ip);
  if (owner) {
    const holder = ctx.store.containers.find(owner)?.name ?? owner.slice(0, 12);
    throw new CtrnetError('CONFLICT', `address ${ip} is already in use by container ${holder}; pick another --ip`);
  }
}

/**
 * `--ip6` (also `network connect --ip6`) needs a network with IPv6 and, once
 * its pool is known, an address inside it that is neither the subnet-router
 * anycast address nor the gateway, and that nobody holds.
 *
 * @returns The address in canonical form, as IPAM stores it.
 */
export function checkIpv6Option(ctx: RuntimeContext, network: Network, ip6: string): string {
  if (!network.ipv6) throw invalidArgument(`--ip6 ${quote(ip6)}: network ${network.name} has no IPv6; create it with --ipv6, or drop --ip6`);
  if (!isValidIpv6(ip6)) throw invalidArgument(`invalid --ip6 ${quote(ip6)}: expected an IPv6 address such as fd00:1::10`);
  const address = canonicalIpv6(ip6);
  const pool = network.pool6;
  // The default network's IPv6 pool may still be unpicked: IPAM checks the address when it joins.
  if (!pool) return address;
  if (!cidrContains(pool.subnet, address)) throw invalidArgument(`--ip6 ${ip6} is outside the network's IPv6 subnet ${pool.subnet}; pick an address inside it`);
  if (address === bigIntToIpv6(cidr6Range(pool.subnet).first) || address === pool.gateway) {
    throw invalidArgument(`--ip6 ${ip6} is the subnet-router anycast or gateway address of ${pool.subnet}; pick another address`);
  }
  const owner = ctx.store.addresses.ownerOf(network.id, address);
  if (owner) {
    const holder = ctx.store.containers.find(owner)?.name ?? owner.slice(0, 12);
    throw new CtrnetError('CONFLICT', `address ${address} is already in use by container ${holder}; pick another --ip6`);
  }
  return address;
}

/**
 * A `-p` with a host address publishes on that address's family, which the
 * network must give the container (there is no proxy between families, as
 * Docker's has); SCTP cannot go through the IPv6 loopback proxy.
 */
function checkPublishFamilies(network: Network, spec: RunSpec): void {
  for (const p of spec.publish) {
    if (p.hostIp === undefined) continue;
    const v6 = p.hostIp.includes(':');
    if (v6 ? !network.ipv6 : network.ipv4 === false) {
      throw invalidArgument(`-p host IP ${p.hostIp} is IPv${v6 ? 6 : 4}, but network ${network.name} has no IPv${v6 ? 6 : 4}; publish on ${v6 ? '0.0.0.0' : '[::]'} or drop the host IP`);
    }
    if (p.hostIp === '::1' && p.protocol === 'sctp') {
      throw invalidArgument(`cannot publish sctp on [::1]: IPv6 loopback ports go through a proxy that carries tcp and udp only; publish on [::] or another address`);
    }
  }
}

function uniqueGeneratedName(ctx: RuntimeContext): string {
  for (let attempt = 0; ; attempt++) {
    const name = generateName(attempt);
    if (!ctx.store.containers.nameTaken(name)) return name;
  }
}

/** `--ip` and `--default-gateway` must lie in the subnet; `--ip` must be free. */
function checkAddressOptions(ctx: RuntimeContext, subnet: string, gateway: string | undefined, networkId: string, spec: RunSpec): void {
  if (spec.ip) checkIpv4Option(ctx, subnet, gateway, networkId, spec.ip);
  if (spec.defaultGateway) {
    if (!isValidIpv4(spec.defaultGateway)) throw invalidArgument(`invalid --default-gateway ${quote(spec.defaultGateway)}: expected an IPv4 address inside ${subnet}`);
    if (!cidrContains(subnet, spec.defaultGateway)) {
      throw invalidArgument(`--default-gateway ${spec.defaultGateway} is not on the attached subnet ${subnet}; pick an address inside it`);
    }
  }
}
