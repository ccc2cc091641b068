/**
 * ADD results (SPEC.md section 5), in the version of the request: 0.4.0
 * marks each IP with `version`, 1.0.0 and 1.1.0 do not. A sandbox interface
 * always carries its MAC (Podman refuses one without). When ctrnet is not
 * the first plugin of the list, the previous result's interfaces, IPs and
 * routes come first and ours are appended.
 */
import type { SandboxAttachment } from '@ctrnet/core/api';
import type { CniVersion } from './spec.js';

interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

interface CniIp {
  version?: '4' | '6';
  address: string;
  gateway?: string;
  interface?: number;
}

interface CniRoute {
  dst: string;
  gw?: string;
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIp[];
  routes?: CniRoute[];
  dns?: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] };
}

export function addResult(version: CniVersion, attachment: SandboxAttachment, netns: string, prev?: Record<string, unknown>): CniResult {
  const previous = (prev ?? {}) as Partial<CniResult>;
  const interfaces: CniInterface[] = [...(previous.interfaces ?? [])];
  if (attachment.device) interfaces.push({ name: attachment.device });
  if (attachment.hostIfname) interfaces.push({ name: attachment.hostIfname });
  const sandboxIndex = interfaces.push({ name: attachment.ifname, mac: attachment.mac, sandbox: netns }) - 1;
  const ips: CniIp[] = (previous.ips ?? []).map((ip) => withVersion(version, ip));
  if (attachment.ipv4) {
    ips.push(withVersion(version, { address: `${attachment.ipv4}/${attachment.prefixLen}`, ...(attachment.gateway ? { gateway: attachment.gateway } : {}), interface: sandboxIndex }));
  }
  const routes: CniRoute[] = [...(previous.routes ?? [])];
  if (attachment.defaultRoute && attachment.gateway) routes.push({ dst: '0.0.0.0/0', gw: attachment.gateway });
  const { servers, searches, options } = attachment.dns;
  const dns = servers.length || searches.length || options.length ? { nameservers: servers, ...(searches.length ? { search: searches } : {}), ...(options.length ? { options } : {}) } : previous.dns;
  return { cniVersion: version, interfaces, ips, routes, ...(dns ? { dns } : {}) };
}

/** 0.4.0 needs `version` on each IP; 1.0.0 removed it. */
function withVersion(version: CniVersion, ip: CniIp): CniIp {
  const rest = { ...ip };
  delete rest.version;
  if (version !== '0.4.0') return rest;
  return { version: rest.address.includes(':') ? '6' : '4', ...rest };
}
