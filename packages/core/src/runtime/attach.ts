import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { crashPoint } from '../crash-point.js';
import { CtrnetError, incomplete } from '../errors.js';
import type { LeaveOptions } from '../driver.js';
import type { ContainerRef } from '../events.js';
import type { Saga } from '../saga.js';
import type { ContainerRecord } from '../store/store.js';
import type { AddressPool, Endpoint, LinkRule, Network, PortBinding, Sandbox } from '../types.js';
import { driverOf, firewallOf, ipamContext, pluginContext, type RuntimeContext } from './context.js';
import { resolveBindings } from './host-ports.js';
import { newId } from './ids.js';
import { resolverOf } from './dns-scope.js';
import { loopbackTargets, startLoopbackProxy, stopLoopbackProxy } from './loopback-proxy.js';
import { cidrRange } from '../net/cidr.js';
import { intToIp } from '../net/ipv4.js';
import { buildHostsFile, buildResolvConf } from './name-files.js';
import { BUILTIN_NETWORKS, type Networks } from './networks.js';
import { containerDir, netnsName, netnsPath } from './paths.js';
import type { NetnsMaker } from './netns-maker.js';
import { splitNetworkMode, type ConnectOptions, type ContainerSpec } from './spec.js';
import type { UndoKit } from './undo.js';
import { HOST_GATEWAY } from './validate.js';

const debug = createDebug('ctrnet:core:attach');

/** What one endpoint is asked for: fixed addresses, and on the first network the MAC and default gateway. */
export interface JoinOptions extends ConnectOptions {
  mac?: string;
  defaultGateway?: string;
  /** Whether the interface carries the default route; default: it is eth0. */
  defaultRoute?: boolean;
}

/** What a started container's networking amounts to. */
export interface Attached {
  sandbox: Sandbox;
  endpoints: Endpoint[];
  bindings: PortBinding[];
  hostsFile: string;
  resolvFile: string;
}

/**
 * Give a container its network: sandbox, one endpoint per network, published
 * ports, link rules, hosts and resolv.conf. Every step is a saga step, so a
 * failure (or a crash, via gc) undoes exactly what was done.
 */
export class Attacher {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly networks: Networks,
    private readonly undo: UndoKit,
    private readonly namespaces: NetnsMaker,
  ) {}

  async attach(saga: Saga, container: ContainerRecord<ContainerSpec>): Promise<Attached> {
    const [mode, target] = splitNetworkMode(container.spec.network);
    const sandbox = await this.sandbox(saga, container, mode, target);
    try {
      return await this.configure(saga, container, sandbox, mode, target);
    } finally {
      if (sandbox.kind === 'own') this.namespaces.endSetup(sandbox.netnsPath);
    }
  }

  /** Everything inside a sandbox of `attach`: endpoints, ports, link rules, name files. */
  private async configure(saga: Saga, container: ContainerRecord<ContainerSpec>, sandbox: Sandbox, mode: string, target?: string): Promise<Attached> {
    const spec = container.spec;
    const ref = { id: container.id, name: container.name };
    const endpoints: Endpoint[] = [];
    let bindings: PortBinding[] = [];
    if (sandbox.kind === 'own') {
      for (const [index, networkId] of spec.networks.entries()) {
        const options: JoinOptions =
          index === 0
            ? { ip: spec.ip, ip6: spec.ip6, mac: spec.macAddress, defaultGateway: spec.defaultGateway, aliases: spec.networkAliases }
            : (spec.connections?.[networkId] ?? {});
        const { network, endpoint } = await this.plan(saga, ref, this.networks.get(networkId), `eth${index}`, options);
        endpoints.push(endpoint);
        if (index === 0 && this.publishes(network, endpoint)) {
          // The rules need the address, not the interface: publish while the driver makes it (ip and nft are separate channels).
          [, bindings] = await settled(this.enter(saga, ref, network, endpoint, sandbox), this.publish(saga, ref, network, endpoint, spec, containerDir(this.ctx.config.stateDir, container.id)));
        } else {
          await this.enter(saga, ref, network, endpoint, sandbox);
        }
      }
      const first = endpoints[0];
      spec.linkRules = await this.linkRules(saga, ref, spec, first && this.networks.get(first.networkId), first);
    }
    const primaryNetwork = endpoints[0] && this.networks.get(endpoints[0].networkId);
    const files = this.writeNameFiles(container, endpoints[0], mode, target, this.hostGateway(endpoints[0]), primaryNetwork && resolverOf(this.ctx, primaryNetwork));
    return { sandbox, endpoints, bindings, ...files };
  }

  /** Create, borrow or use the host's network namespace. */
  private async sandbox(saga: Saga, container: ContainerRecord<ContainerSpec>, mode: string, target?: string): Promise<Sandbox> {
    const driver = this.ctx.registry.networkDriver(mode === 'host' || mode === 'none' || mode === 'container' ? mode : this.networks.get(mode).driver);
    if (driver.sandbox === 'host') return { containerId: container.id, netnsPath: '', kind: 'host' };
    if (driver.sandbox === 'shared') {
      const other = this.ctx.store.containers.find(target ?? '');
      if (!other || other.status !== 'running' || !other.sandboxKey) {
        throw new CtrnetError('INVALID_STATE', `cannot join the network namespace of container ${JSON.stringify(target)}: it is not running; start it first`);
      }
      return { containerId: container.id, netnsPath: other.sandboxKey, kind: 'shared' };
    }
    const name = netnsName(container.id);
    await saga.step('create netns', () => this.namespaces.create(name), { kind: 'netns.delete', data: { name } });
    return { containerId: container.id, netnsPath: netnsPath(name), kind: 'own' };
  }

  /** One endpoint: addresses (one per family of the network), driver join; `options` fix addresses, MAC, aliases and whether it carries the default route (eth0 does). */
  async join(saga: Saga, ref: ContainerRef, network: Network, sandbox: Sandbox, ifname: string, options: JoinOptions = {}): Promise<Endpoint> {
    const planned = await this.plan(saga, ref, network, ifname, options);
    await this.enter(saga, ref, planned.network, planned.endpoint, sandbox);
    return planned.endpoint;
  }

  /** An endpoint's addresses and row: what a join decides before the driver acts. The network comes back made, for a built-in one. */
  private async plan(saga: Saga, ref: ContainerRef, network: Network, ifname: string, options: JoinOptions): Promise<{ network: Network; endpoint: Endpoint }> {
    if (network.name === 'bridge' || network.name === 'host' || network.name === 'none') network = await this.networks.ensureBuiltin(network.name);
    const driver = driverOf(this.ctx, network);
    const ipam = driver.usesIpam ? this.ctx.registry.ipamDriver(network.ipamDriver) : undefined;
    // Undone by owner: the address is not known until IPAM has picked it. One undo covers both families (one pool id).
    const release = { kind: 'address.release-owner', data: { networkId: network.id, owner: ref.id } };
    const request = (pool: AddressPool | undefined, wanted: string | undefined, label: string) =>
      ipam && pool ? saga.step(label, () => ipam.requestAddress(ipamContext(this.ctx, ipam.name), network.id, pool, ref.id, wanted), release) : Promise.resolve(undefined);
    const ipv4 = await request(network.pool, options.ip, 'request address');
    const ipv6 = await request(network.pool6, options.ip6, 'request IPv6 address');
    const endpoint = driver.planEndpoint(network, {
      id: newId(),
      containerId: ref.id,
      networkId: network.id,
      ifname,
      ...(ipv4 === undefined ? {} : { ipv4 }),
      ...(ipv6 === undefined ? {} : { ipv6 }),
      mac: options.mac,
      defaultRoute: options.defaultRoute ?? ifname === 'eth0',
      defaultGateway: options.defaultGateway,
      aliases: options.aliases?.length ? options.aliases : undefined,
    });
    await saga.step('record endpoint', () => this.ctx.store.endpoints.upsert(endpoint), { kind: 'endpoint.row.delete', data: { id: endpoint.id } });
    return { network, endpoint };
  }

  /** The driver puts the planned endpoint into the sandbox. */
  private async enter(saga: Saga, ref: ContainerRef, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    const driver = driverOf(this.ctx, network);
    await saga.step('join', () => driver.join(pluginContext(this.ctx, 'driver', driver.name), network, endpoint, sandbox), {
      kind: 'endpoint.leave',
      data: { networkId: network.id, endpoint, sandbox },
    });
    await this.ctx.bus.emit('endpoint.join', { container: ref, network, endpoint });
  }

  /** Whether a container's ports are published to this endpoint: it has an address, on a network whose driver publishes and that has a firewall. */
  private publishes(network: Network, endpoint: Endpoint): boolean {
    return Boolean((endpoint.ipv4 || endpoint.ipv6) && driverOf(this.ctx, network).ports === 'publish' && !network.internal && firewallOf(this.ctx, network));
  }

  /** Reserve and publish the spec's `-p` (and `-P`) ports to `endpoint`'s addresses on `network`; `dir` keeps a loopback proxy's files. */
  async publish(saga: Saga, ref: ContainerRef, network: Network, endpoint: Endpoint, spec: ContainerSpec, dir: string): Promise<PortBinding[]> {
    const requests = [...spec.publish];
    if (spec.publishAll) {
      for (const e of spec.expose) requests.push({ containerPorts: { start: e.port, end: e.port }, protocol: e.protocol });
    }
    if (!requests.length) return [];
    const bindings = await resolveBindings(this.ctx, ref, network, { ipv4: endpoint.ipv4, ipv6: endpoint.ipv6 }, requests);
    const sctpOnLoopback = bindings.find((b) => b.hostIp === '::1' && b.protocol === 'sctp');
    if (sctpOnLoopback) {
      throw new CtrnetError('INVALID_ARGUMENT', `cannot publish sctp on [::1]:${sctpOnLoopback.hostPort}: IPv6 loopback ports go through a proxy that carries tcp and udp only; publish on [::] or another address`);
    }
    await saga.step(
      'reserve ports',
      () => {
        try {
          this.ctx.store.ports.reserve(bindings);
        } catch (err) {
          throw new CtrnetError('CONFLICT', `${(err as Error).message}; choose another host port`, { cause: err });
        }
      },
      { kind: 'ports.release', data: { containerId: ref.id } },
    );
    const publisher = await this.ctx.publisher();
    await saga.step('publish', () => publisher.publish(pluginContext(this.ctx, 'ports', publisher.name), bindings), {
      kind: 'ports.unpublish',
      data: { bindings },
    });
    const proxied = loopbackTargets(bindings);
    if (proxied.length) await saga.step('start loopback proxy', () => startLoopbackProxy(dir, proxied), { kind: 'proxy.stop', data: { dir } });
    await this.ctx.bus.emit('port.publish', { container: ref, bindings });
    debug('published %d ports for %s', bindings.length, ref.name);
    return bindings;
  }

  /** With ICC off, a link opens the linked container's exposed ports to this one, in every family both have. */
  private async linkRules(saga: Saga, ref: ContainerRef, spec: ContainerSpec, network?: Network, endpoint?: Endpoint): Promise<LinkRule[]> {
    const firewall = network && firewallOf(this.ctx, network);
    if (!network || !endpoint || !firewall || firewall.icc) return [];
    const rules: LinkRule[] = [];
    for (const [name] of spec.links) {
      const target = this.ctx.store.containers.find<ContainerSpec>(name);
      const targetEndpoint = target && this.ctx.store.endpoints.ofContainer(target.id).find((e) => e.networkId === network.id);
      if (!target || !targetEndpoint) continue;
      const seen = new Set<string>();
      const ports = [...target.spec.expose, ...this.ctx.store.ports.ofContainer(target.id).map((b) => ({ port: b.containerPort, protocol: b.protocol }))].filter(
        (p) => !seen.has(`${p.port}/${p.protocol}`) && seen.add(`${p.port}/${p.protocol}`),
      );
      for (const [sourceIp, targetIp] of [
        [endpoint.ipv4, targetEndpoint.ipv4],
        [endpoint.ipv6, targetEndpoint.ipv6],
      ]) {
        if (sourceIp && targetIp) rules.push({ containerId: ref.id, bridge: firewall.device, sourceIp, targetIp, ports });
      }
    }
    const publisher = await this.ctx.publisher();
    for (const link of rules) {
      await saga.step('add link', () => publisher.addLink(pluginContext(this.ctx, 'ports', publisher.name), link), { kind: 'link.remove', data: { link } });
    }
    return rules;
  }

  /** Write hosts and resolv.conf; a `container:` container reuses its target's files. */
  /**
   * What `--add-host NAME=host-gateway` resolves to: the host's address on
   * the container's primary network (its gateway); without one (host, none),
   * the default bridge's gateway, as Docker uses docker0's address.
   */
  private hostGateway(primary: Endpoint | undefined): string {
    if (primary?.gateway) return primary.gateway;
    if (primary?.gateway6) return primary.gateway6;
    const bridge = this.ctx.store.networks.find(BUILTIN_NETWORKS[0]); // the default network, `bridge`
    const { subnet, gateway } = this.ctx.config.defaultNetwork;
    return bridge?.pool?.gateway ?? gateway ?? intToIp(cidrRange(subnet).first + 1);
  }

  private writeNameFiles(
    container: ContainerRecord<ContainerSpec>,
    endpoint: Endpoint | undefined,
    mode: string,
    target: string | undefined,
    hostGateway: string,
    resolver: string | undefined,
  ): { hostsFile: string; resolvFile: string } {
    if (mode === 'container') {
      const other = this.ctx.store.containers.find(target ?? '')!;
      const dir = containerDir(this.ctx.config.stateDir, other.id);
      return { hostsFile: join(dir, 'hosts'), resolvFile: join(dir, 'resolv.conf') };
    }
    const spec = container.spec;
    const dir = containerDir(this.ctx.config.stateDir, container.id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const links = spec.links.flatMap(([name, alias]) => {
      const other = this.ctx.store.containers.find(name);
      const first = other && this.ctx.store.endpoints.ofContainer(other.id)[0];
      const address = first?.ipv4 ?? first?.ipv6;
      return other && address ? [{ ip: address, name: other.name, alias }] : [];
    });
    const hostHosts = mode === 'host' ? readOr('/etc/hosts', '') : '';
    const extraHosts = spec.addHosts.map(([h, a]): [string, string] => [h, a === HOST_GATEWAY ? hostGateway : a]);
    const hosts =
      mode === 'host'
        ? hostHosts + extraHosts.map(([h, a]) => `${a}\t${h}\n`).join('')
        : buildHostsFile({ hostname: spec.hostname, ip: endpoint?.ipv4, ip6: endpoint?.ipv6, extraHosts, links });
    const resolv = buildResolvConf({ hostResolvConf: readOr('/etc/resolv.conf', ''), dns: spec.dns, dnsSearch: spec.dnsSearch, dnsOptions: spec.dnsOptions, embedded: resolver });
    const hostsFile = join(dir, 'hosts');
    const resolvFile = join(dir, 'resolv.conf');
    writeFileSync(hostsFile, hosts, { mode: 0o644 });
    writeFileSync(resolvFile, resolv, { mode: 0o644 });
    return { hostsFile, resolvFile };
  }

  /**
   * Tear a container's networking down (stop, rm, gc). Idempotent. A failing
   * step does not stop the others; what depends on it is kept (ports stay
   * reserved while their rules may still exist, an address while its
   * interface may), so a later gc finds and finishes it. Throws INCOMPLETE
   * with every failure when any step failed.
   */
  async detach(container: ContainerRecord<ContainerSpec>): Promise<void> {
    const ref = { id: container.id, name: container.name };
    const failures: unknown[] = [];
    const attempt = async (work: () => Promise<void>): Promise<boolean> => {
      try {
        await work();
        return true;
      } catch (err) {
        failures.push(err);
        return false;
      }
    };
    const bindings = this.ctx.store.ports.ofContainer(container.id);
    // The rules (nft or iptables) and the interfaces (ip) are separate channels and
    // depend on nothing of each other: both are released side by side.
    const rules = async (): Promise<void> => {
      await attempt(() => stopLoopbackProxy(containerDir(this.ctx.config.stateDir, container.id)));
      if (bindings.length && (await attempt(() => this.undo.unpublish(bindings)))) {
        crashPoint('detach: unpublished');
        this.ctx.store.ports.releaseOf(container.id);
        crashPoint('detach: released ports');
        await this.ctx.bus.emit('port.unpublish', { container: ref, bindings });
      }
      for (const link of container.spec.linkRules ?? []) await attempt(() => this.undo.removeLink(link));
    };
    const sandbox = sandboxOf(container);
    // The namespace is deleted below and takes the interfaces in it along: drivers
    // need only cut theirs off, not delete them (a veth's delete waits for RCU).
    const ownNetns = sandbox.kind === 'own';
    // Addresses and rows go last, once the interfaces are: the namespace's deletion need not wait for that bookkeeping.
    const interfaces = async (): Promise<void> => {
      const left: Endpoint[] = [];
      for (const endpoint of this.ctx.store.endpoints.ofContainer(container.id).reverse()) {
        if (await attempt(() => this.undo.leave(endpoint.networkId, endpoint, sandbox, { sandboxGoing: ownNetns }))) left.push(endpoint);
        crashPoint('detach: driver left');
      }
      if (ownNetns) await attempt(() => this.undo.deleteNetns(netnsName(container.id)));
      for (const endpoint of left) {
        await attempt(() => this.forget(ref, endpoint));
        crashPoint('detach: left network');
      }
    };
    await Promise.all([rules(), interfaces()]);
    if (failures.length) throw incomplete(`releasing the network of container ${container.name}`, failures);
  }

  /**
   * Remove one endpoint: driver leave, then (only once the interface is gone,
   * or cut off when `sandboxGoing`) the address and the row.
   */
  async leave(ref: ContainerRef, endpoint: Endpoint, sandbox: Sandbox, options: LeaveOptions = {}): Promise<void> {
    await this.undo.leave(endpoint.networkId, endpoint, sandbox, options);
    crashPoint('leave: driver left');
    await this.forget(ref, endpoint);
  }

  /** What remains of an endpoint once its driver has left: its addresses, its row, and the event. */
  private async forget(ref: ContainerRef, endpoint: Endpoint): Promise<void> {
    if (endpoint.ipv4) await this.undo.releaseAddress(endpoint.networkId, endpoint.ipv4);
    if (endpoint.ipv6) await this.undo.releaseAddress(endpoint.networkId, endpoint.ipv6);
    crashPoint('leave: address released');
    this.ctx.store.endpoints.delete(endpoint.id);
    const network = this.ctx.store.networks.find(endpoint.networkId);
    if (network) await this.ctx.bus.emit('endpoint.leave', { container: ref, network, endpoint });
  }
}

/** The sandbox a started container was given, as its record keeps it. */
export function sandboxOf(container: ContainerRecord): Sandbox {
  return { containerId: container.id, netnsPath: container.sandboxKey ?? '', kind: container.sandboxKind ?? 'own' };
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * Both results once both have settled, or the first failure: a saga must
 * not roll back while one of its steps is still in flight.
 */
async function settled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
