import { hostname as osHostname } from 'node:os';
import { CtrnetError, invalidArgument } from '../errors.js';
import { cidrContains, cidrRange } from '../net/cidr.js';
import { intToIp, isValidIpv4 } from '../net/ipv4.js';
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
  if (driver.sandbox === 'own' && driver.usesIpam) {
    const network = networks.get(mode);
    networkIds.push(network.id);
    // Docker's rule (and message): fixed addresses only on networks the user made.
    if (spec.ip && (BUILTIN_NETWORKS as readonly string[]).includes(network.name)) {
      throw invalidArgument(`invalid --ip ${quote(spec.ip)}: user specified IP address is supported on user defined networks only; create one with ctrnet network create --subnet CIDR NAME`);
    }
    checkAddressOptions(ctx, network.pool?.subnet ?? ctx.config.defaultNetwork.subnet, network.pool?.gateway, network.id, spec);
    if (network.internal && spec.publish.length) warnings.push(`WARNING: network ${network.name} is internal; published ports are discarded`);
  } else if (driver.sandbox === 'own') {
    networkIds.push(networks.get(mode).id);
  }
  if (spec.ip && !driver.usesIpam) throw invalidArgument(`--ip ${quote(spec.ip)} needs a network with addresses; --net ${spec.network} has none`);

  for (const [linkName] of spec.links) {
    const linked = ctx.store.containers.find(linkName);
    if (!linked) throw new CtrnetError('NOT_FOUND', `could not find linked container ${quote(linkName)} for --link; start it first`);
    if (linked.status !== 'running') throw new CtrnetError('INVALID_STATE', `linked container ${linked.name} is not running; start it first`);
  }
  const hostname = spec.hostname ? checkHostname(spec.hostname) : mode === 'host' ? osHostname() : id.slice(0, 12);
  if (spec.stopSignal !== undefined) checkSignal(spec.stopSignal);
  if (spec.workdir !== undefined && !spec.workdir.startsWith('/')) throw invalidArgument(`invalid --workdir ${quote(spec.workdir)}: expected an absolute path`);
  const userIds = spec.user === undefined ? undefined : resolveUser(spec.user);

  return {
    id,
    name,
    status: 'created',
    networkMode: spec.network,
    spec: { ...spec, name, hostname, networks: networkIds, autoRemove, warnings, userIds },
    runId: 0,
    created: ctx.clock.now().toISOString(),
  };
}

function uniqueGeneratedName(ctx: RuntimeContext): string {
  for (let attempt = 0; ; attempt++) {
    const name = generateName(attempt);
    if (!ctx.store.containers.nameTaken(name)) return name;
  }
}

/** `--ip` and `--default-gateway` must lie in the subnet; `--ip` must be free. */
function checkAddressOptions(ctx: RuntimeContext, subnet: string, gateway: string | undefined, networkId: string, spec: RunSpec): void {
  const { first, last } = cidrRange(subnet);
  if (spec.ip) {
    if (!isValidIpv4(spec.ip)) throw invalidArgument(`invalid --ip ${quote(spec.ip)}: expected an IPv4 address inside ${subnet}`);
    if (!cidrContains(subnet, spec.ip)) throw invalidArgument(`--ip ${spec.ip} is outside the network's subnet ${subnet}; pick an address inside it`);
    if (spec.ip === intToIp(first) || spec.ip === intToIp(last) || spec.ip === (gateway || intToIp(first + 1))) {
      throw invalidArgument(`--ip ${spec.ip} is the network, broadcast or gateway address of ${subnet}; pick another address`);
    }
    const owner = ctx.store.addresses.ownerOf(networkId, spec.ip);
    if (owner) {
      const holder = ctx.store.containers.find(owner)?.name ?? owner.slice(0, 12);
      throw new CtrnetError('CONFLICT', `address ${spec.ip} is already in use by container ${holder}; pick another --ip`);
    }
  }
  if (spec.defaultGateway) {
    if (!isValidIpv4(spec.defaultGateway)) throw invalidArgument(`invalid --default-gateway ${quote(spec.defaultGateway)}: expected an IPv4 address inside ${subnet}`);
    if (!cidrContains(subnet, spec.defaultGateway)) {
      throw invalidArgument(`--default-gateway ${spec.defaultGateway} is not on the attached subnet ${subnet}; pick an address inside it`);
    }
  }
}
