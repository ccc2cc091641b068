/**
 * A ctrnet network whose interfaces are made by a CNI plugin list, run the
 * way libcni runs it: versions negotiated with every binary, plugins in
 * order on ADD (each given the previous result), the final result cached in
 * libcni's format, DEL in reverse order with the cached config and result,
 * CHECK with the cached result. ctrnet's IPAM still owns the addresses: the
 * address it picked (and its MAC) are requested through the `ips` and `mac`
 * capabilities and CNI_ARGS `IP`/`MAC`, and join fails (and is undone)
 * when the list gave another. Port publishing is the list's business
 * (portmap), so ctrnet's publisher stays out: `-p` is discarded.
 */
import { existsSync, readFileSync } from 'node:fs';
import createDebug from 'debug';
import {
  CtrnetError,
  ExecError,
  invalidArgument,
  planAddressedEndpoint,
  type Endpoint,
  type Network,
  type NetworkDriver,
  type NetworkPlan,
  type NetworkRequest,
  type PluginContext,
  type Sandbox,
} from '@ctrnet/core';
import { deleteCache, readCache, writeCache } from './cache.js';
import { bridgeOf, ipamSubnets, parseConfList, pluginBinaries, pluginRequest, type ConfList, type Json } from './conflist.js';
import { invokePlugin, type Invocation } from './invoke.js';
import { normaliseCniOptions } from './options.js';
import { negotiate } from './versions.js';

const debug = createDebug('ctrnet:driver-cni:driver');

export class CniDriver implements NetworkDriver {
  readonly name = 'cni';
  readonly sandbox = 'own';
  readonly usesIpam = true;
  readonly ports = 'discard';
  readonly userDefined = true;
  /** What each binary answered to VERSION, by path: asked once per driver instance. */
  private readonly supported = new Map<string, readonly string[]>();

  planNetwork(request: NetworkRequest): NetworkPlan {
    const options = normaliseCniOptions(request.options);
    let text: string;
    try {
      text = readFileSync(options.conflist, 'utf8');
    } catch (err) {
      throw invalidArgument(`cannot read CNI config ${options.conflist} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass an existing conflist with -o conflist=PATH`, err);
    }
    const list = parseConfList(text, options.conflist);
    const subnets = ipamSubnets(list);
    // ctrnet's IPAM picks the address and the list's IPAM must hand out that one: their subnets must be the same.
    if (subnets.length && (!request.subnet || !subnets.includes(request.subnet))) {
      throw invalidArgument(`network ${request.name}: give --subnet ${subnets[0]} (the subnet of ${options.conflist}'s IPAM), so ctrnet's addresses are the plugin's`);
    }
    const bridge = bridgeOf(list);
    return { options: { ...options }, driverData: { conflist: text, ...(bridge ? { bridge } : {}) } };
  }

  /** Nothing to make up front (the bridge plugin makes its bridge on first ADD); the binaries are checked now. */
  async createNetwork(ctx: PluginContext, network: Network): Promise<void> {
    await this.version(ctx, network, listOf(network));
  }

  /** The bridge the list's bridge plugin made: the plugin never removes it. */
  async deleteNetwork(ctx: PluginContext, network: Network): Promise<void> {
    const bridge = network.driverData.bridge;
    if (!bridge) return;
    let kind: string | undefined;
    try {
      const { stdout } = await ctx.exec.run(['ip', '-j', '-d', 'link', 'show', 'dev', bridge]);
      kind = (JSON.parse(stdout) as { linkinfo?: { info_kind?: string } }[])[0]?.linkinfo?.info_kind;
    } catch (err) {
      if (err instanceof ExecError && err.kind === 'missing') return;
      throw err;
    }
    if (kind === 'bridge') await ctx.exec.ip([['link', 'del', bridge]], { ignoreMissing: true });
  }

  planEndpoint(network: Network, endpoint: Endpoint): Endpoint {
    return planAddressedEndpoint(this.name, network, endpoint);
  }

  async join(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    if (sandbox.handoff) throw new CtrnetError('INVALID_ARGUMENT', `driver cni cannot hand interfaces over to an engine; network ${network.name} needs a driver that can`);
    const list = listOf(network);
    const version = await this.version(ctx, network, list);
    const { ipv4, prefixLen, mac } = endpoint;
    const capabilityArgs: Json = { ips: [`${ipv4}/${prefixLen}`], mac };
    const cniArgs: [string, string][] = [['IgnoreUnknown', '1'], ['IP', ipv4!], ['MAC', mac!]];
    const inv = invocation(network, 'ADD', endpoint, sandbox.netnsPath, cniArgs);
    let result: Json | undefined;
    for (const plugin of list.plugins) {
      const out = await invokePlugin(ctx.exec, plugin.type, inv, pluginRequest(list, plugin, version, capabilityArgs, result));
      // A plugin may print nothing (or omit the version): the previous result stands, in the config's version.
      if (out) result = { ...out, cniVersion: (out.cniVersion as string | undefined) || version };
    }
    const given = ((result?.ips ?? []) as { address?: string }[]).map((ip) => ip.address);
    if (!given.includes(`${ipv4}/${prefixLen}`)) {
      throw new CtrnetError('INVALID_CONFIG', `CNI list ${list.name} gave ${given.join(', ') || 'no address'}, not ${ipv4}/${prefixLen} from ctrnet's IPAM; its IPAM must honour requested addresses (host-local does) on the network's subnet`);
    }
    writeCache(network.options.cache_dir!, {
      kind: 'cniCacheV1',
      containerId: endpoint.containerId,
      config: Buffer.from(network.driverData.conflist!).toString('base64'),
      ifName: endpoint.ifname,
      networkName: list.name,
      netns: sandbox.netnsPath,
      cniArgs,
      capabilityArgs,
      result: result ?? {},
    });
    debug('joined %s to %s (CNI %s)', endpoint.id, list.name, version);
  }

  /** DEL in reverse order with the cached config and result; without a cache, with the network's config. Idempotent. */
  async leave(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    const current = listOf(network);
    const cacheDir = network.options.cache_dir!;
    const cached = readCache(cacheDir, current.name, endpoint.containerId, endpoint.ifname);
    const list = cached ? parseConfList(Buffer.from(cached.config, 'base64').toString('utf8'), `the cached config of ${endpoint.containerId}`) : current;
    const version = await this.version(ctx, network, list);
    // DEL must work without the namespace (it may be gone after a crash or reboot) and still release IPAM.
    const netns = sandbox.netnsPath && existsSync(sandbox.netnsPath) ? sandbox.netnsPath : '';
    const inv = invocation(network, 'DEL', endpoint, netns, cached?.cniArgs ?? [['IgnoreUnknown', '1']]);
    for (const plugin of [...list.plugins].reverse()) {
      await invokePlugin(ctx.exec, plugin.type, inv, pluginRequest(list, plugin, version, cached?.capabilityArgs ?? {}, cached?.result));
    }
    deleteCache(cacheDir, current.name, endpoint.containerId, endpoint.ifname);
  }

  /** CHECK in order with the cached result; each failing plugin is one problem. */
  async check(ctx: PluginContext, network: Network, endpoint: Endpoint, sandbox: Sandbox): Promise<string[]> {
    const current = listOf(network);
    const cached = readCache(network.options.cache_dir!, current.name, endpoint.containerId, endpoint.ifname);
    if (!cached) return [`no cached CNI result for ${endpoint.containerId} ${endpoint.ifname}: it was never added, or was deleted`];
    const list = parseConfList(Buffer.from(cached.config, 'base64').toString('utf8'), `the cached config of ${endpoint.containerId}`);
    if (list.disableCheck) return [];
    const version = await this.version(ctx, network, list);
    const inv = invocation(network, 'CHECK', endpoint, sandbox.netnsPath, cached.cniArgs);
    const problems: string[] = [];
    for (const plugin of list.plugins) {
      await invokePlugin(ctx.exec, plugin.type, inv, pluginRequest(list, plugin, version, cached.capabilityArgs, cached.result)).catch((err: Error) => problems.push(err.message));
    }
    return problems;
  }

  /** The version every binary of the list and the config share (VERSION asked once per binary). */
  private async version(ctx: PluginContext, network: Network, list: ConfList): Promise<string> {
    const binDirs = binDirsOf(network);
    const answers = new Map<string, readonly string[]>();
    for (const type of pluginBinaries(list)) {
      let known = this.supported.get(`${binDirs.join(':')}/${type}`);
      if (!known) {
        const inv: Invocation = { command: 'VERSION', containerId: 'dummy', netns: 'dummy', ifname: 'dummy', args: '', binDirs };
        const out = await invokePlugin(ctx.exec, type, inv, { cniVersion: list.cniVersion });
        known = ((out?.supportedVersions ?? []) as string[]).filter((v) => typeof v === 'string');
        this.supported.set(`${binDirs.join(':')}/${type}`, known);
      }
      answers.set(type, known);
    }
    return negotiate(list, answers);
  }
}

function listOf(network: Network): ConfList {
  const text = network.driverData.conflist;
  if (!text) throw new CtrnetError('INTERNAL', `network ${network.name} has no CNI config in its driver data; was it planned by the cni driver?`);
  return parseConfList(text, `the config of network ${network.name}`);
}

function binDirsOf(network: Network): string[] {
  return (network.options.cni_path ?? '/usr/lib/cni').split(':').filter(Boolean);
}

function invocation(network: Network, command: Invocation['command'], endpoint: Endpoint, netns: string, cniArgs: [string, string][]): Invocation {
  return { command, containerId: endpoint.containerId, netns, ifname: endpoint.ifname, args: cniArgs.map(([k, v]) => `${k}=${v}`).join(';'), binDirs: binDirsOf(network) };
}
