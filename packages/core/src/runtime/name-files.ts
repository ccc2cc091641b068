/**
 * The container's /etc/hosts and /etc/resolv.conf, built like Docker builds
 * them. Pure functions: the runtime writes the results into the container's
 * state folder and bind-mounts them over the host's files.
 */

/** Docker's fixed head of /etc/hosts. */
const HOSTS_HEAD = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface HostsInput {
  hostname: string;
  /** The container's own address on its first network (absent for none). */
  ip?: string;
  /** Its IPv6 address there, on networks with IPv6. */
  ip6?: string;
  extraHosts: [string, string][];
  /** Linked containers: address, name and alias. */
  links: { ip: string; name: string; alias: string }[];
}

export function buildHostsFile(input: HostsInput): string {
  const lines = [...HOSTS_HEAD];
  for (const [host, ip] of input.extraHosts) lines.push(`${ip}\t${host}`);
  for (const link of input.links) {
    const names = link.alias === link.name ? [link.alias] : [link.alias, link.name];
    lines.push(`${link.ip}\t${names.join(' ')}`);
  }
  if (input.ip) lines.push(`${input.ip}\t${input.hostname}`);
  if (input.ip6) lines.push(`${input.ip6}\t${input.hostname}`);
  return lines.join('\n') + '\n';
}

export interface ResolvInput {
  /** The host's resolv.conf text. */
  hostResolvConf: string;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** ctrnet's resolver address for this container (its network's gateway), when it serves the container's network. */
  embedded?: string;
}

/** Docker's fallback when the host only has loopback resolvers (which do not work from a container's namespace). */
const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

export function buildResolvConf(input: ResolvInput): string {
  const host = parseResolvConf(input.hostResolvConf);
  // On a network ctrnet's resolver serves, it is the only nameserver (it forwards to --dns or the host's);
  // ndots:0 asks for a bare name as is first, as Docker's embedded DNS has it.
  if (input.embedded) {
    const search = input.dnsSearch.length ? input.dnsSearch : host.search;
    // A --dns-option ndots:N of the user's replaces ndots:0 (Docker's embedded resolv.conf does the same).
    const options = input.dnsOptions.some((o) => o.startsWith('ndots:')) ? input.dnsOptions : ['ndots:0', ...input.dnsOptions];
    const lines = [`nameserver ${input.embedded}`, ...(search.length ? [`search ${search.join(' ')}`] : []), `options ${options.join(' ')}`];
    return lines.join('\n') + '\n';
  }
  let nameservers = input.dns.length ? input.dns : host.nameservers.filter((ns) => !isLoopback(ns));
  if (nameservers.length === 0) nameservers = FALLBACK_NAMESERVERS;
  const search = input.dnsSearch.length ? input.dnsSearch : host.search;
  const options = input.dnsOptions.length ? input.dnsOptions : host.options;
  const lines = nameservers.map((ns) => `nameserver ${ns}`);
  if (search.length) lines.push(`search ${search.join(' ')}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}

function parseResolvConf(text: string): { nameservers: string[]; search: string[]; options: string[] } {
  const out = { nameservers: [] as string[], search: [] as string[], options: [] as string[] };
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.replace(/[#;].*/, '').trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if ((key === 'search' || key === 'domain') && rest.length) out.search = rest;
    else if (key === 'options' && rest.length) out.options.push(...rest);
  }
  return out;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** Docker's legacy link variables for one linked container. */
export function linkEnvironment(
  alias: string,
  self: string,
  ip: string,
  ports: { port: number; protocol: string }[],
): [string, string][] {
  const prefix = alias.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const env: [string, string][] = [[`${prefix}_NAME`, `/${self}/${alias}`]];
  const sorted = [...ports].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  if (sorted[0]) env.push([`${prefix}_PORT`, `${sorted[0].protocol}://${ip}:${sorted[0].port}`]);
  for (const { port, protocol } of sorted) {
    const p = `${prefix}_PORT_${port}_${protocol.toUpperCase()}`;
    env.push([p, `${protocol}://${ip}:${port}`], [`${p}_ADDR`, ip], [`${p}_PORT`, String(port)], [`${p}_PROTO`, protocol]);
  }
  return env;
}
