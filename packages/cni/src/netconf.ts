/**
 * The network configuration on stdin: the conflist's plugin object with the
 * runtime's `cniVersion`, `name`, `runtimeConfig` (capability arguments),
 * `prevResult` and, for GC, the valid attachments. Parsed completely before
 * anything is touched; every error names the key and its value and carries
 * the spec's code (6 undecodable, 1 version, 7 config, 2 unsupported value).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Protocol, PublishRequest } from '@ctrnet/core/api';
import { CNI_CODES, CniError, SUPPORTED_VERSIONS, type CniVersion } from './spec.js';

/** The ctrnet network a conflist names: created with these settings on first use. */
export interface NetworkSettings {
  name: string;
  driver: string;
  ipamDriver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal: boolean;
  options: Record<string, string>;
}

/** What the attachment asks for, from capability arguments, `args` and CNI_ARGS. */
export interface AttachmentSettings {
  publish: PublishRequest[];
  ip?: string;
  mac?: string;
  aliases: string[];
  dns?: { servers: string[]; searches: string[]; options: string[] };
}

export interface NetConf {
  cniVersion: CniVersion;
  /** The CNI network's name (the conflist's `name`). */
  name: string;
  network: NetworkSettings;
  /** Which ctrnet installation: as `--state-dir` / `--config` (absent = ctrnet's defaults). */
  installation: { stateDir?: string; configPath?: string };
  attachment: AttachmentSettings;
  prevResult?: Record<string, unknown>;
  /** GC: the attachments to keep (`cni.dev/valid-attachments`, or the older `cni.dev/attachments`). */
  validAttachments?: { containerID: string; ifname: string }[];
}

type Json = Record<string, unknown>;

/** Only the version, for VERSION and for the version an early error is reported in. */
export function peekVersion(stdin: string): string | undefined {
  try {
    const v = (JSON.parse(stdin) as Json)?.cniVersion;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function parseNetConf(stdin: string, cniArgs: [string, string][] = []): NetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(CNI_CODES.decodeFailure, `failed to decode the network configuration on stdin: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CniError(CNI_CODES.decodeFailure, 'failed to decode the network configuration on stdin: expected a JSON object');
  const conf = raw as Json;
  const cniVersion = conf.cniVersion;
  if (typeof cniVersion !== 'string' || !(SUPPORTED_VERSIONS as readonly string[]).includes(cniVersion)) {
    throw new CniError(CNI_CODES.incompatibleVersion, `incompatible CNI versions; config is ${JSON.stringify(cniVersion ?? '')}, plugin supports [${SUPPORTED_VERSIONS.join(', ')}]`);
  }
  const name = conf.name;
  if (typeof name !== 'string' || !name) throw configError('name', name, 'the network name, a non-empty string');
  const prevResult = optional(conf, 'prevResult', isObject, 'an object (the previous plugin result)');
  return {
    cniVersion: cniVersion as CniVersion,
    name,
    network: networkSettings(conf, name),
    installation: { stateDir: optional(conf, 'stateDir', isString, 'a path'), configPath: optional(conf, 'configPath', isString, 'a path') },
    attachment: attachmentSettings(conf, name, cniArgs),
    prevResult,
    validAttachments: validAttachments(conf),
  };
}

function networkSettings(conf: Json, cniName: string): NetworkSettings {
  const options = optional(conf, 'options', isObject, 'an object of string values') ?? {};
  for (const [key, value] of Object.entries(options)) if (typeof value !== 'string') throw configError(`options.${key}`, value, 'a string');
  return {
    name: optional(conf, 'network', isString, 'a ctrnet network name') ?? cniName,
    driver: optional(conf, 'driver', isString, 'a ctrnet network driver name') ?? 'bridge',
    ipamDriver: optional(conf, 'ipamDriver', isString, 'a ctrnet IPAM driver name'),
    subnet: optional(conf, 'subnet', isString, 'an IPv4 CIDR'),
    gateway: optional(conf, 'gateway', isString, 'an IPv4 address'),
    ipRange: optional(conf, 'ipRange', isString, 'an IPv4 CIDR'),
    internal: optional(conf, 'internal', isBoolean, 'true or false') ?? false,
    options: options as Record<string, string>,
  };
}

function attachmentSettings(conf: Json, cniName: string, cniArgs: [string, string][]): AttachmentSettings {
  const runtime = optional(conf, 'runtimeConfig', isObject, 'an object of capability arguments') ?? {};
  const settings: AttachmentSettings = { publish: [], aliases: [] };
  if (runtime.portMappings !== undefined) settings.publish = portMappings(runtime.portMappings);
  if (runtime.ips !== undefined) settings.ip = requestedIp(runtime.ips, 'runtimeConfig.ips');
  const argIps = (conf.args as { cni?: { ips?: unknown } } | undefined)?.cni?.ips;
  if (settings.ip === undefined && argIps !== undefined) settings.ip = requestedIp(argIps, 'args.cni.ips');
  if (runtime.mac !== undefined) settings.mac = mac(runtime.mac, 'runtimeConfig.mac');
  if (runtime.dns !== undefined) settings.dns = dns(runtime.dns);
  if (runtime.aliases !== undefined) settings.aliases = aliases(runtime.aliases, cniName);
  const ignoreUnknown = cniArgs.some(([k, v]) => k === 'IgnoreUnknown' && (v === '1' || v.toLowerCase() === 'true'));
  for (const [key, value] of cniArgs) {
    if (key === 'IP') settings.ip ??= requestedIp([value], 'CNI_ARGS IP');
    else if (key === 'MAC') settings.mac ??= mac(value, 'CNI_ARGS MAC');
    else if (key !== 'IgnoreUnknown' && !ignoreUnknown) throw unsupported(`CNI_ARGS ${key}`, value, 'IP, MAC and IgnoreUnknown are known; pass IgnoreUnknown=1 to ignore others');
  }
  return settings;
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/** CONVENTIONS.md `portMappings`: `[{hostPort, containerPort, protocol, hostIP?}]`. */
function portMappings(value: unknown): PublishRequest[] {
  if (!Array.isArray(value)) throw unsupported('runtimeConfig.portMappings', value, 'a list of {hostPort, containerPort, protocol, hostIP}');
  return value.map((entry: unknown, i) => {
    const key = `runtimeConfig.portMappings[${i}]`;
    if (!isObject(entry)) throw unsupported(key, entry, 'an object {hostPort, containerPort, protocol, hostIP}');
    const hostPort = port(entry.hostPort, `${key}.hostPort`);
    const containerPort = port(entry.containerPort, `${key}.containerPort`);
    const protocol = entry.protocol === undefined || entry.protocol === '' ? 'tcp' : String(entry.protocol).toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw unsupported(`${key}.protocol`, entry.protocol, 'tcp, udp or sctp');
    const hostIp = entry.hostIP;
    if (hostIp !== undefined && hostIp !== '' && !(typeof hostIp === 'string' && isIPv4(hostIp))) {
      throw unsupported(`${key}.hostIP`, hostIp, isIPv6(String(hostIp)) ? 'an IPv4 address (IPv6 host addresses are not supported yet)' : 'an IPv4 address or ""');
    }
    return {
      ...(typeof hostIp === 'string' && hostIp ? { hostIp } : {}),
      hostPorts: { start: hostPort, end: hostPort },
      containerPorts: { start: containerPort, end: containerPort },
      protocol: protocol as Protocol,
    };
  });
}

function port(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) throw unsupported(key, value, 'an integer from 1 to 65535');
  return value;
}

/** CONVENTIONS.md `ips`: one IPv4 address, with or without a prefix; ctrnet networks are IPv4-only for now. */
function requestedIp(value: unknown, key: string): string | undefined {
  if (!Array.isArray(value) || !value.every(isString)) throw unsupported(key, value, 'a list of addresses such as ["10.88.0.5/16"]');
  const v4 = (value as string[]).map((a) => a.split('/')[0]!).filter((a) => isIPv4(a));
  const bad = (value as string[]).find((a) => !isIPv4(a.split('/')[0]!) && !isIPv6(a.split('/')[0]!));
  if (bad !== undefined) throw unsupported(key, bad, 'an IP address, optionally with a prefix length');
  if (v4.length > 1) throw unsupported(key, value, 'at most one IPv4 address (a ctrnet interface has one)');
  if (v4.length === 0 && value.length > 0) throw unsupported(key, value, 'an IPv4 address (IPv6 is not supported yet)');
  return v4[0];
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

function mac(value: unknown, key: string): string {
  if (typeof value !== 'string' || !MAC.test(value)) throw unsupported(key, value, 'a MAC address such as c2:11:22:33:44:55');
  return value.toLowerCase();
}

/** CONVENTIONS.md `dns`: `{servers, searches, options}` (not resolv.conf's nameservers/search). */
function dns(value: unknown): AttachmentSettings['dns'] {
  if (!isObject(value)) throw unsupported('runtimeConfig.dns', value, 'an object {servers, searches, options}');
  const list = (key: string): string[] => {
    const v = value[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every(isString)) throw unsupported(`runtimeConfig.dns.${key}`, v, 'a list of strings');
    return v as string[];
  };
  const servers = list('servers');
  const bad = servers.find((s) => !isIPv4(s) && !isIPv6(s));
  if (bad !== undefined) throw unsupported('runtimeConfig.dns.servers', bad, 'IP addresses');
  return { servers, searches: list('searches'), options: list('options') };
}

/** Podman's `aliases`: `{"<network name>": ["alias", ...]}`; a plain list is accepted too. */
function aliases(value: unknown, cniName: string): string[] {
  const list = Array.isArray(value) ? value : isObject(value) ? (value[cniName] ?? []) : undefined;
  if (!Array.isArray(list) || !list.every((a) => isString(a) && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(a))) {
    throw unsupported('runtimeConfig.aliases', value, 'an object {"<network>": ["name", ...]} of host names');
  }
  return list as string[];
}

function validAttachments(conf: Json): NetConf['validAttachments'] {
  const key = conf['cni.dev/valid-attachments'] !== undefined ? 'cni.dev/valid-attachments' : 'cni.dev/attachments';
  const value = conf[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((a) => isObject(a) && isString(a.containerID) && isString(a.ifname))) {
    throw configError(key, value, 'a list of {containerID, ifname}');
  }
  return value as { containerID: string; ifname: string }[];
}

function optional<T>(conf: Json, key: string, is: (v: unknown) => v is T, expected: string): T | undefined {
  const value = conf[key];
  if (value === undefined) return undefined;
  if (!is(value)) throw configError(key, value, expected);
  return value;
}

function configError(key: string, value: unknown, expected: string): CniError {
  return new CniError(CNI_CODES.invalidConfig, `invalid network configuration: key "${key}" is ${JSON.stringify(value)}; expected ${expected}`);
}

function unsupported(key: string, value: unknown, expected: string): CniError {
  return new CniError(CNI_CODES.unsupportedField, `unsupported field: ${key} = ${JSON.stringify(value)}; expected ${expected}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
