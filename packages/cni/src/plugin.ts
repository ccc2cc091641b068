/**
 * The CNI commands as calls of ctrnet's runtime API: ADD is `sandbox.attach`
 * (after creating the conflist's network on first use), DEL is
 * `sandbox.detach`, CHECK `sandbox.check`, GC `sandbox.list` + detach. An
 * attachment's owner is `cni:<CNI_CONTAINERID>`; with CNI_IFNAME it names
 * the attachment, exactly as the spec identifies one.
 */
import createDebug from 'debug';
import { isCtrnetError, type CtrnetApi, type NetworkInspect } from '@ctrnet/core/api';
import type { CniEnv } from './env.js';
import type { NetConf, NetworkSettings } from './netconf.js';
import { addResult, type CniResult } from './result.js';
import { CNI_CODES, CniError } from './spec.js';

const debug = createDebug('ctrnet:cni:plugin');

/** Owner prefix of CNI attachments: GC only ever touches these. */
export const OWNER_PREFIX = 'cni:';

/** Serve one command; resolves with the result to print (ADD) or undefined (nothing to print). */
export async function serve(env: CniEnv, conf: NetConf, api: CtrnetApi): Promise<CniResult | undefined> {
  const owner = OWNER_PREFIX + env.containerId;
  switch (env.command) {
    case 'ADD': {
      await ensureNetwork(api, conf.network);
      const { publish, ip, mac, aliases, dns } = conf.attachment;
      const attachment = await api.call('sandbox.attach', { owner, network: conf.network.name, ifname: env.ifname, netnsPath: env.netns, publish, ip, mac, aliases, dns });
      debug('ADD %s %s: %s', owner, env.ifname, attachment.ipv4);
      return addResult(conf.cniVersion, attachment, env.netns, conf.prevResult);
    }
    case 'DEL':
      // Idempotent: nothing attached (a second DEL, DEL without ADD, a network never created) is success.
      await api.call('sandbox.detach', { owner, ifname: env.ifname, network: conf.network.name }).catch((err: unknown) => {
        if (!isCtrnetError(err, 'NOT_FOUND')) throw err;
      });
      return undefined;
    case 'CHECK':
      await check(api, owner, env, conf);
      return undefined;
    case 'GC':
      await gc(api, conf);
      return undefined;
    case 'STATUS':
      await status(api);
      return undefined;
    case 'VERSION':
      throw new CniError(CNI_CODES.internal, 'VERSION is answered before the API is opened');
  }
}

/** The conflist's network, created with its settings when missing; an existing one must match them. */
async function ensureNetwork(api: CtrnetApi, settings: NetworkSettings): Promise<void> {
  const existing = await inspect(api, settings.name);
  if (existing) return matchNetwork(existing, settings);
  const { name, driver, ipamDriver, subnet, gateway, ipRange, internal, options } = settings;
  try {
    await api.call('network.create', { name, driver, ipamDriver, subnet, gateway, ipRange, internal, ipv6: false, options });
  } catch (err) {
    // A concurrent ADD created it first.
    const raced = isCtrnetError(err, 'CONFLICT') ? await inspect(api, name) : undefined;
    if (!raced) throw err;
    matchNetwork(raced, settings);
  }
}

async function inspect(api: CtrnetApi, name: string): Promise<NetworkInspect | undefined> {
  try {
    return await api.call('network.inspect', { name });
  } catch (err) {
    if (isCtrnetError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

function matchNetwork(network: NetworkInspect, settings: NetworkSettings): void {
  const subnet = network.IPAM.Config[0]?.Subnet;
  const clash =
    network.Driver !== settings.driver ? `driver ${network.Driver}, not ${settings.driver}` : settings.subnet !== undefined && subnet !== settings.subnet ? `subnet ${subnet ?? 'none'}, not ${settings.subnet}` : undefined;
  if (clash) {
    throw new CniError(CNI_CODES.invalidConfig, `ctrnet network ${settings.name} exists with ${clash}; fix the conflist or remove the network (ctrnet network rm ${settings.name})`);
  }
}

async function check(api: CtrnetApi, owner: string, env: CniEnv, conf: NetConf): Promise<void> {
  let problems: string[];
  try {
    ({ problems } = await api.call('sandbox.check', { owner, ifname: env.ifname, network: conf.network.name }));
  } catch (err) {
    if (isCtrnetError(err, 'NOT_FOUND')) throw new CniError(CNI_CODES.unknownContainer, `container ${env.containerId} has no interface ${env.ifname} on network ${conf.network.name}`);
    throw err;
  }
  const [attachment] = await api.call('sandbox.list', { owner, ifname: env.ifname, network: conf.network.name });
  const expected = previousAddress(conf.prevResult, env.ifname);
  if (attachment && expected && `${attachment.ipv4}/${attachment.prefixLen}` !== expected) {
    problems.push(`${env.ifname} has address ${attachment.ipv4}/${attachment.prefixLen}, the previous result says ${expected}`);
  }
  if (problems.length) throw new CniError(CNI_CODES.checkFailed, `container ${env.containerId}: interface ${env.ifname} differs from what ADD made`, problems.join('; '));
}

/** The address the cached result gave our interface, if the result names it. */
function previousAddress(prev: Record<string, unknown> | undefined, ifname: string): string | undefined {
  const interfaces = (prev?.interfaces ?? []) as { name?: string }[];
  const ips = (prev?.ips ?? []) as { address?: string; interface?: number }[];
  const index = interfaces.findIndex((i) => i.name === ifname);
  return ips.find((ip) => ip.interface === index && index >= 0)?.address;
}

/** Remove every attachment of this network that the runtime no longer knows; carry on past failures. */
async function gc(api: CtrnetApi, conf: NetConf): Promise<void> {
  if (!conf.validAttachments) throw new CniError(CNI_CODES.invalidConfig, 'GC needs "cni.dev/valid-attachments" (a list of {containerID, ifname}) in the configuration');
  const valid = new Set(conf.validAttachments.map((a) => `${OWNER_PREFIX}${a.containerID}\0${a.ifname}`));
  const failures: string[] = [];
  for (const a of await api.call('sandbox.list', { ownerPrefix: OWNER_PREFIX, network: conf.network.name })) {
    if (valid.has(`${a.owner}\0${a.ifname}`)) continue;
    await api.call('sandbox.detach', { owner: a.owner, ifname: a.ifname, network: conf.network.name }).catch((err: Error) => failures.push(`${a.owner} ${a.ifname}: ${err.message}`));
  }
  if (failures.length) throw new CniError(CNI_CODES.kernelFailure, `GC could not remove ${failures.length} attachment(s)`, failures.join('; '));
}

/** Ready for ADD when the runtime answers. */
async function status(api: CtrnetApi): Promise<void> {
  try {
    await api.call('system.info', {});
  } catch (err) {
    throw new CniError(CNI_CODES.notAvailable, `ctrnet is not available: ${(err as Error).message}`);
  }
}
