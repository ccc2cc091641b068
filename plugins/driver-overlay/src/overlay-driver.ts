/**
 * The `overlay` network driver: one network for many hosts, in etcd. Each
 * host holds a copy with its own slice of the subnet (from the etcd IPAM), a
 * local bridge whose address is the slice's gateway, and a VXLAN port on it
 * with static entries for every other host (see commands.ts for the layout).
 * Core imports the copies through `shared`; ctrnetd's watch service keeps the
 * per-host entries in step between commands.
 */
import createDebug from 'debug';
import {
  CtrnetError,
  batchNetnsPath,
  cidrRange,
  invalidArgument,
  isValidIfName,
  macFromIpv4,
  normaliseMac,
  type Endpoint,
  type Network,
  type NetworkDriver,
  type NetworkFirewall,
  type NetworkPlan,
  type NetworkRequest,
  type PluginContext,
  type PluginSettings,
  type Sandbox,
  type SharedNetworks,
} from '@ctrnet/core';
import { ETCD_IPAM, hostSession, networkAddresses, reclaimNetwork, type HostSession } from '@ctrnet/ipam-etcd';
import { claimDefinition, deleteVtep, listDefinitions, listVteps, putVtep, releaseDefinition } from './cluster-store.js';
import { hostJoinCommands, leaveCommands, localDownCommands, localUpCommands, sandboxJoinCommands, type RemoteSide } from './commands.js';
import { bridgeNameFor, isOurVeth, preferredVni, VXLAN_OVERHEAD, vethNameFor, vxlanNameFor } from './names.js';
import { normaliseOverlayOptions } from './options.js';
import { syncRemotes } from './remote-hosts.js';
import { uplinkMtu } from './uplink.js';

const debug = createDebug('ctrnet:driver-overlay:driver');

export const OVERLAY = 'overlay';

export class OverlayDriver implements NetworkDriver {
  readonly name = OVERLAY;
  readonly sandbox = 'own';
  readonly usesIpam = true;
  readonly ports = 'publish';
  readonly userDefined = true;
  readonly ipamDriver = ETCD_IPAM;
  readonly shared: SharedNetworks;
  /** Per network, this host's MTU (uplink − 50 unless `-o mtu`): learnt once per process. */
  private readonly mtus = new Map<string, number>();

  constructor(private readonly settings: PluginSettings) {
    this.shared = {
      list: async () => {
        if (!this.settings.cluster) return [];
        return (await listDefinitions(this.session())).map((d) => ({ network: { ...d.network, pool: undefined }, subnet: d.subnet }));
      },
      claim: (_ctx, network, subnet) => claimDefinition(this.session(), network, subnet),
      release: (_ctx, network) => releaseDefinition(this.session(), network),
    };
  }

  planNetwork(request: NetworkRequest, networkId: string): NetworkPlan {
    if (!this.settings.cluster) {
      throw invalidArgument('overlay networks span hosts and need a cluster: set cluster.etcd, cluster.hostName and cluster.advertiseAddress in the config file');
    }
    const options = normaliseOverlayOptions(request);
    const driverData = { bridge: bridgeNameFor(networkId), vxlan: vxlanNameFor(networkId), vni: String(preferredVni(networkId)) };
    if (!isValidIfName(driverData.bridge) || !/^[0-9a-f]{11}/.test(networkId)) {
      throw new CtrnetError('INTERNAL', `network id "${networkId}" gives invalid interface names; network ids are 64 hex characters`);
    }
    return { options, driverData };
  }

  /** The local bridge is where every packet of the network passes, local or from the tunnel: the publisher firewalls it as a bridge network. */
  firewall(network: Network): NetworkFirewall | undefined {
    if (!network.pool) return undefined;
    return {
      device: network.driverData.bridge!,
      subnet: network.pool.subnet,
      gateway: network.pool.gateway,
      icc: network.options.icc !== 'false',
      masquerade: true,
      defaultHostIp: '0.0.0.0',
    };
  }

  async createNetwork(ctx: PluginContext, network: Network): Promise<void> {
    await this.ensureLocal(ctx, network);
    const session = this.session();
    await putVtep(session, network.id, this.localSide(network));
    await syncRemotes(ctx.exec, network.driverData.bridge!, network.driverData.vxlan!, await this.remotes(session, network));
  }

  /** This host's copy goes: its tunnel endpoint record (when etcd answers; else the lease's expiry removes it), then its devices. */
  async deleteNetwork(ctx: PluginContext, network: Network): Promise<void> {
    if (this.settings.cluster) {
      await deleteVtep(this.session(), network.id).catch((err: unknown) => {
        if (!(err instanceof CtrnetError && err.code === 'UNAVAILABLE')) throw err;
        debug('network %s: etcd unreachable, the tunnel endpoint record goes with the lease', network.name);
      });
    }
    await ctx.exec.ip(localDownCommands(network.driverData.bridge!, network.driverData.vxlan!), { ignoreMissing: true });
    this.mtus.delete(network.id);
  }

  planEndpoint(network: Network, endpoint: Endpoint): Endpoint {
    const pool = network.pool;
    if (!pool?.ipRange || !endpoint.ipv4) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} on overlay network ${network.name} has no address or the network no slice; the etcd IPAM assigns both`);
    }
    if (!isValidIfName(endpoint.ifname) || !/^[0-9a-f]{13}/.test(endpoint.id)) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} has an invalid id or interface name "${endpoint.ifname}"`);
    }
    if (endpoint.defaultGateway !== undefined) throw invalidArgument(`--default-gateway is not supported on overlay network ${network.name}; its gateway is this host's`);
    return {
      ...endpoint,
      mac: endpoint.mac ? normaliseMac(endpoint.mac) : macFromIpv4(endpoint.ipv4),
      prefixLen: cidrRange(pool.ipRange).prefix,
      gateway: pool.gateway,
      hostIfname: vethNameFor(endpoint.id),
    };
  }

  async join(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    const { hostIfname, mac, ipv4, prefixLen, gateway } = endpoint;
    if (!hostIfname || !mac || !ipv4 || prefixLen === undefined || !gateway) {
      throw new CtrnetError('INTERNAL', `endpoint ${endpoint.id} was not planned (no veth name, MAC or address); call planEndpoint first`);
    }
    batchNetnsPath(sandbox);
    const mtu = await this.mtuOf(ctx, network);
    await ctx.exec.ip(hostJoinCommands({ hostIfname, ifname: endpoint.ifname, mac, mtu, bridge: network.driverData.bridge!, netns: sandbox.netnsPath, address: ipv4 }));
    await ctx.exec.ip(
      sandboxJoinCommands({
        ifname: endpoint.ifname,
        address: `${ipv4}/${prefixLen}`,
        gateway,
        subnet: network.pool!.subnet,
        slice: network.pool!.ipRange!,
        // Like Docker, an internal network offers no default route.
        defaultRoute: endpoint.defaultRoute && !network.internal,
      }),
      { netns: sandbox.netnsPath },
    );
  }

  async leave(ctx: PluginContext, network: Network, endpoint: Endpoint): Promise<void> {
    await ctx.exec.ip(leaveCommands(endpoint.hostIfname ?? vethNameFor(endpoint.id), endpoint.ipv4, network.driverData.bridge!), { ignoreMissing: true });
  }

  /**
   * After a restart or a lapsed lease: devices back if they vanished, this
   * host's slice, addresses and tunnel endpoint re-bound to its lease, the
   * remote entries re-read from etcd, leaked veths removed.
   */
  async reconcile(ctx: PluginContext, network: Network, endpoints: readonly Endpoint[]): Promise<string[]> {
    const fixed: string[] = [];
    if (await this.ensureLocal(ctx, network)) fixed.push(`re-created the bridge and VXLAN device of overlay network ${network.name}`);
    const { stdout } = await ctx.exec.run(['ip', '-j', 'link', 'show', 'master', network.driverData.bridge!]);
    const owned = new Set(endpoints.map((e) => e.hostIfname ?? vethNameFor(e.id)));
    for (const link of JSON.parse(stdout || '[]') as { ifname: string }[]) {
      if (!isOurVeth(link.ifname) || owned.has(link.ifname)) continue;
      await ctx.exec.ip([['link', 'del', link.ifname]], { ignoreMissing: true });
      fixed.push(`removed leaked interface ${link.ifname} from overlay network ${network.name}`);
    }
    const session = this.session();
    fixed.push(...(await reclaimNetwork(session, network.id, network.pool!, endpoints)));
    await putVtep(session, network.id, this.localSide(network));
    const lines = await syncRemotes(ctx.exec, network.driverData.bridge!, network.driverData.vxlan!, await this.remotes(session, network));
    fixed.push(...lines.map((l) => `overlay network ${network.name}: ${l}`));
    return fixed;
  }

  /** Each host's tunnel endpoint, slice and containers, as etcd holds them. */
  async inspect(_ctx: PluginContext, network: Network): Promise<Record<string, unknown>> {
    const session = this.session();
    const [vteps, addresses] = await Promise.all([listVteps(session, network.id), networkAddresses(session, network.id)]);
    const hosts: Record<string, unknown> = {};
    for (const [host, side] of vteps) {
      const containers = [...addresses].filter(([, a]) => a.host === host).map(([ip, a]) => ({ Container: a.owner, IPv4Address: ip }));
      hosts[host] = { Address: side.address, Slice: side.slice, Gateway: side.gateway, Containers: containers };
    }
    return { VNI: Number(network.driverData.vni), Hosts: hosts };
  }

  /** This host's tunnel-endpoint record for a network. */
  localSide(network: Network): RemoteSide {
    const pool = network.pool!;
    return { host: this.session().host, address: this.settings.cluster!.advertiseAddress, mac: macFromIpv4(pool.gateway), slice: pool.ipRange!, gateway: pool.gateway };
  }

  /** Every other host's tunnel endpoint. */
  async remotes(session: HostSession, network: Network): Promise<RemoteSide[]> {
    return [...(await listVteps(session, network.id)).values()].filter((r) => r.host !== session.host);
  }

  session(): HostSession {
    const cluster = this.settings.cluster;
    if (!cluster) throw invalidArgument('overlay networks span hosts and need a cluster: set cluster.etcd, cluster.hostName and cluster.advertiseAddress in the config file');
    return hostSession(cluster, this.settings.stateDir);
  }

  /** Bridge and VXLAN device up as planned; true when either had to be created. */
  private async ensureLocal(ctx: PluginContext, network: Network): Promise<boolean> {
    const { bridge, vxlan, vni } = network.driverData;
    const pool = network.pool;
    if (!bridge || !vxlan || !vni || !pool?.ipRange) {
      throw new CtrnetError('INTERNAL', `overlay network ${network.name} lacks its device names, VNI or slice (${JSON.stringify(network.driverData)}); was it created by the overlay driver?`);
    }
    const [bridgeKind, vxlanKind] = await Promise.all([linkKind(ctx, bridge), linkKind(ctx, vxlan)]);
    for (const [name, kind, wanted] of [[bridge, bridgeKind, 'bridge'], [vxlan, vxlanKind, 'vxlan']] as const) {
      if (kind !== undefined && kind !== wanted) throw new CtrnetError('CONFLICT', `interface ${name} exists and is a ${kind || 'device'}, not a ${wanted}; remove it`);
    }
    const side = {
      bridge,
      vxlan,
      address: `${pool.gateway}/${cidrRange(pool.ipRange).prefix}`,
      mac: macFromIpv4(pool.gateway),
      mtu: await this.mtuOf(ctx, network),
      vni: Number(vni),
      local: this.settings.cluster!.advertiseAddress,
    };
    debug('network %s: %s + %s (vni %s, mtu %d)', network.name, bridge, vxlan, vni, side.mtu);
    await ctx.exec.ip(localUpCommands(side, { bridge: bridgeKind !== undefined, vxlan: vxlanKind !== undefined }));
    await ctx.exec.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    return bridgeKind === undefined || vxlanKind === undefined;
  }

  private async mtuOf(ctx: PluginContext, network: Network): Promise<number> {
    if (network.options.mtu) return Number(network.options.mtu);
    let mtu = this.mtus.get(network.id);
    if (mtu === undefined) this.mtus.set(network.id, (mtu = (await uplinkMtu(ctx.exec, this.settings.cluster!.advertiseAddress)) - VXLAN_OVERHEAD));
    return mtu;
  }
}

/** The link's kind (`bridge`, `vxlan`, '' for a plain device), or undefined when there is none. */
async function linkKind(ctx: PluginContext, name: string): Promise<string | undefined> {
  const result = await ctx.exec.run(['ip', '-j', '-d', 'link', 'show', 'dev', name]).catch((err: unknown) => {
    if (/does not exist|Cannot find device/.test(String((err as { stderr?: string }).stderr ?? ''))) return undefined;
    throw err;
  });
  if (!result) return undefined;
  const [link] = JSON.parse(result.stdout || '[]') as { linkinfo?: { info_kind?: string } }[];
  return link?.linkinfo?.info_kind ?? '';
}
