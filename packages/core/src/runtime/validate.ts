import { constants as osConstants } from 'node:os';
import { isIPv6 } from 'node:net';
import { invalidArgument } from '../errors.js';
import { isValidIpv4 } from '../net/ipv4.js';
import { normaliseMac } from '../net/mac.js';

/** Docker's container name rule, plus the 63-char limit of cli.md. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** RFC 1123 hostname label(s). */
const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Printable form of a user value for error messages (quotes, escapes control chars). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

export function checkContainerName(name: string, what = 'container name'): string {
  if (!CONTAINER_NAME.test(name) || name.length > 63) {
    throw invalidArgument(`invalid ${what} ${quote(name)}: use 1-63 characters [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  }
  return name;
}

export function checkNetworkName(name: string): string {
  return checkContainerName(name, 'network name');
}

export function checkHostname(name: string): string {
  if (!HOSTNAME.test(name)) throw invalidArgument(`invalid hostname ${quote(name)}: use letters, digits, '-' and '.' (RFC 1123), at most 253 characters`);
  return name;
}

export function checkIpv4(value: string, what: string): string {
  if (!isValidIpv4(value)) throw invalidArgument(`invalid ${what} ${quote(value)}: expected an IPv4 address such as 172.17.0.5`);
  return value;
}

/** Docker accepts IPv4 and IPv6 nameservers; ctrnet writes them verbatim. */
export function checkNameserver(value: string): string {
  // A zone id (fe80::1%eth0) is valid in resolv.conf; the address before it must be real IPv6 ("abc" is not).
  const percent = value.indexOf('%');
  const address = percent < 0 ? value : value.slice(0, percent);
  const zone = percent < 0 ? undefined : value.slice(percent + 1);
  if (!isValidIpv4(value) && !(isIPv6(address) && (zone === undefined || /^[A-Za-z0-9_.-]+$/.test(zone)))) {
    throw invalidArgument(`invalid --dns ${quote(value)}: expected an IP address such as 1.1.1.1`);
  }
  return value;
}

/** A `--mac-address`: unicast, non-zero, normalised to lower case (see {@link normaliseMac}). */
export function checkMac(value: string): string {
  return normaliseMac(value, '--mac-address');
}

export function parseEnv(value: string): [string, string] {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (!ENV_KEY.test(key)) throw invalidArgument(`invalid --env ${quote(value)}: expected KEY=VALUE with KEY matching [A-Za-z_][A-Za-z0-9_]*`);
  // Docker's `-e KEY` (no '=') copies KEY from the caller's environment.
  return [key, eq < 0 ? (process.env[key] ?? '') : value.slice(eq + 1)];
}

/** `--add-host`'s stand-in for the host's address on the container's network (Docker's `host-gateway`). */
export const HOST_GATEWAY = 'host-gateway';

/**
 * `--add-host NAME=IP` (Docker 25+) or `NAME:IP`; the first `=` splits, else
 * the first `:` (so an IPv6 address needs no brackets, though `[::1]` is
 * accepted); IP may be `host-gateway` (docker/cli opts/hosts.go ValidateExtraHost).
 */
export function parseAddHost(value: string): [string, string] {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const host = value.slice(0, sep);
  let ip = value.slice(sep + 1);
  if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (sep <= 0 || !HOSTNAME.test(host) || !(ip === HOST_GATEWAY || isValidIpv4(ip) || isIPv6(ip))) {
    throw invalidArgument(`invalid --add-host ${quote(value)}: expected HOST=IP or HOST:IP (IP may be ${HOST_GATEWAY}), such as db=10.0.0.5`);
  }
  return [host, ip];
}

export function parseLink(value: string): [string, string] {
  const [name, alias, extra] = value.split(':');
  if (extra !== undefined || !name) throw invalidArgument(`invalid --link ${quote(value)}: expected NAME or NAME:ALIAS`);
  checkContainerName(name, '--link container name');
  const a = alias ?? name;
  if (!HOSTNAME.test(a) && !CONTAINER_NAME.test(a)) throw invalidArgument(`invalid --link alias ${quote(a)}: use letters, digits, '_', '-' and '.'`);
  return [name, a];
}

/** `SIGTERM`, `TERM`, `sigterm` or `15` → `SIGTERM` (Docker's --stop-signal and kill -s spellings). */
export function checkSignal(value: string, what = '--stop-signal'): NodeJS.Signals {
  const byNumber = /^\d+$/.test(value) ? Object.entries(osConstants.signals).find(([, n]) => n === Number(value))?.[0] : undefined;
  const name = byNumber ?? (value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`);
  if (!Object.hasOwn(osConstants.signals, name)) {
    throw invalidArgument(`invalid ${what} ${quote(value)}: expected a signal name or number such as SIGTERM, TERM or 15`);
  }
  return name as NodeJS.Signals;
}
/** The pool fields of `network create`, one set per family. */
export interface IpamFlags {
  subnet?: string;
  ipRange?: string;
  gateway?: string;
  subnet6?: string;
  ipRange6?: string;
  gateway6?: string;
}

/**
 * Docker's repeatable `--subnet`, `--ip-range` and `--gateway` of `network
 * create`, sorted by family: IPv6 values (they have colons) go to the
 * network's IPv6 pool, the others to its IPv4 pool. At most one of each
 * per family; a range or gateway needs a subnet of its family (Docker's "no
 * matching subnet"). Whether each value is valid is IPAM's to say.
 */
export function ipamFlags(flags: { subnet?: readonly string[]; ipRange?: readonly string[]; gateway?: readonly string[] }): IpamFlags {
  const out: IpamFlags = {};
  const take = (flag: string, values: readonly string[] | undefined, v4: keyof IpamFlags, v6: keyof IpamFlags) => {
    for (const value of values ?? []) {
      const key = value.includes(':') ? v6 : v4;
      const family = key === v6 ? 'IPv6' : 'IPv4';
      if (out[key] !== undefined) throw invalidArgument(`two ${family} ${flag} values (${out[key]} and ${value}); give at most one per family`);
      out[key] = value;
    }
  };
  take('--subnet', flags.subnet, 'subnet', 'subnet6');
  take('--ip-range', flags.ipRange, 'ipRange', 'ipRange6');
  take('--gateway', flags.gateway, 'gateway', 'gateway6');
  for (const [value, subnet, family] of [
    [out.ipRange ?? out.gateway, out.subnet, 'IPv4'],
    [out.ipRange6 ?? out.gateway6, out.subnet6, 'IPv6'],
  ] as const) {
    if (value !== undefined && subnet === undefined) throw invalidArgument(`no matching subnet for ${quote(value)}: an ${family} --ip-range or --gateway needs an ${family} --subnet`);
  }
  return out;
}

/** Go's strconv.ParseBool, for Docker's `--ipv4=false` style flags. */
export function parseBoolFlag(flag: string, value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw invalidArgument(`invalid ${flag} ${quote(value)}: expected true or false`);
}

