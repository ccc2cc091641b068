import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { configPathOf, stateDirOf, type ConfigInputs } from './config-location.js';
import { CtrnetError } from './errors.js';
import { BUILTIN_PLUGINS } from './loader.js';
import { cidrContains, cidrFamily, cidrRange, isValidCidr } from './net/cidr.js';
import { cidr6Range, isValidCidr6 } from './net/cidr6.js';
import { isValidIpv4 } from './net/ipv4.js';
import { isValidIpv6 } from './net/ipv6.js';

/** The default network's subnet when the config does not set one (Docker's docker0). */
const DEFAULT_SUBNET = '172.17.0.0/16';

const DAEMON_MODES = ['auto', 'never', 'required'] as const;

/** A host name as DNS allows one label: it names the host in etcd keys and in messages. */
const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

const cidr = z.string().refine(isValidCidr, { message: 'expected an IPv4 CIDR such as 172.17.0.0/16' });
const cidr6 = z.string().refine(isValidCidr6, { message: 'expected an IPv6 CIDR such as fd00:1::/64' });
const port = z.number().int().min(1).max(65535);

/**
 * Prefix lengths a pool may have, per family. IPv6 pools are bounded like
 * this so that an auto-picked subnet always has room (no /121 and longer)
 * and a pool is a site's share at most (no /47 and shorter): moby#40275 is
 * what unbounded ones did.
 */
export const POOL_PREFIX_BOUNDS = { 4: [8, 30], 6: [48, 120] } as const;

/** One `defaultAddressPools` entry: `base` cut into `/size` subnets, of either family. */
const addressPool = z
  .object({ base: z.string().refine((b) => cidrFamily(b) !== undefined, { message: 'expected a CIDR such as 172.17.0.0/12 or fd00:0:0:1::/56' }), size: z.number().int() })
  .strict()
  .superRefine((p, ctx) => {
    const family = cidrFamily(p.base);
    if (family === undefined) return;
    const [low, high] = POOL_PREFIX_BOUNDS[family];
    const basePrefix = family === 4 ? cidrRange(p.base).prefix : cidr6Range(p.base).prefix;
    if (p.size < low) ctx.addIssue({ code: 'custom', path: ['size'], message: `expected number to be >=${low}` });
    else if (p.size > high) ctx.addIssue({ code: 'custom', path: ['size'], message: `expected number to be <=${high}` });
    // A pool cannot be cut into subnets larger than itself.
    else if (p.size < basePrefix) ctx.addIssue({ code: 'custom', path: ['size'], message: 'expected a prefix length at least that of "base"' });
    else if (family === 6 && basePrefix < low) ctx.addIssue({ code: 'custom', path: ['base'], message: `expected an IPv6 base of /${low} or longer` });
  });

const configSchema = z
  .object({
    stateDir: z.string().min(1).optional(),
    plugins: z.array(z.string().min(1)).optional(),
    portBackend: z.string().min(1).optional(),
    daemon: z.enum(DAEMON_MODES).optional(),
    dns: z.array(z.string().refine((v) => isValidIpv4(v) || isIP(v) === 6, { message: 'expected IP addresses of DNS servers' })).optional(),
    defaultIpamDriver: z.string().min(1).optional(),
    defaultNetwork: z
      .object({
        driver: z.string().min(1).optional(),
        subnet: cidr.optional(),
        gateway: z.string().optional(),
        /** IPv6 on the default network too (Docker's daemon.json `ipv6`). */
        ipv6: z.boolean().optional(),
        /** Its IPv6 subnet (Docker's `fixed-cidr-v6`); absent = a /64 of the installation's ULA /48. */
        subnet6: cidr6.optional(),
        gateway6: z.string().optional(),
        options: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .refine((n) => n.gateway === undefined || (isValidIpv4(n.gateway) && cidrContains(n.subnet ?? DEFAULT_SUBNET, n.gateway)), {
        message: 'expected an IPv4 address inside defaultNetwork.subnet',
        path: ['gateway'],
      })
      .refine((n) => (n.subnet6 === undefined && n.gateway6 === undefined) || n.ipv6 === true, { message: 'expected true when subnet6 or gateway6 is set', path: ['ipv6'] })
      .refine((n) => n.gateway6 === undefined || (n.subnet6 !== undefined && isValidIpv6(n.gateway6) && cidrContains(n.subnet6, n.gateway6)), {
        message: 'expected an IPv6 address inside defaultNetwork.subnet6',
        path: ['gateway6'],
      })
      .optional(),
    defaultAddressPools: z.array(addressPool).min(1).optional(),
    ephemeralPortRange: z
      .tuple([port, port])
      .refine(([a, b]) => a <= b, { message: 'expected [low, high] with low <= high' })
      .optional(),
    cluster: z
      .object({
        etcd: z
          .array(z.string().refine((u) => /^https?:\/\/[^/\s]+\/?$/.test(u), { message: 'expected an etcd client URL such as http://10.0.0.1:2379' }))
          .min(1),
        hostName: z.string().regex(HOST_NAME, { message: 'expected a lower-case DNS label (letters, digits, -), unique in the cluster' }),
        advertiseAddress: z.string().refine(isValidIpv4, { message: "expected this host's IPv4 address on the network the hosts share" }),
        leaseTtlSeconds: z.number().int().min(2).max(3600).optional(),
      })
      .strict()
      .optional(),
    netnsPool: z.number().int().min(0).max(64).optional(),
    docker: z.object({ pluginSocket: z.string().regex(/^\//, 'expected an absolute path').optional() }).strict().optional(),
  })
  .strict();

/** The config as the user wrote it (every key optional). */
export type ConfigFile = z.infer<typeof configSchema>;

/** Ready namespaces ctrnetd keeps: enough for a burst of `run`s while the refill (one at a time, ~5 ms each) catches up. */
const DEFAULT_NETNS_POOL = 4;

/** How long a host's claims in the cluster store outlive it when it stops renewing them. */
const DEFAULT_LEASE_TTL_SECONDS = 15;

/**
 * The cluster this host belongs to (config key `cluster`): where the shared
 * store is and how this host appears in it. Read by plugins whose state spans
 * hosts (through `PluginApi.settings`); core itself only validates it.
 */
export interface ClusterConfig {
  /** etcd client URLs, tried in order. */
  etcd: string[];
  /** This host's name in the cluster, unique among its hosts. */
  hostName: string;
  /** This host's address on the network the hosts share (tunnel endpoints, published in the store). */
  advertiseAddress: string;
  /** TTL of the host's lease: how long after its last renewal its claims are reclaimed. */
  leaseTtlSeconds: number;
}

/** The effective config: defaults filled in, paths resolved. */
export interface Config {
  /** File the config came from, or undefined for built-in defaults. */
  source?: string;
  stateDir: string;
  plugins: string[];
  /** Folder plugin paths are relative to. */
  pluginBaseDir: string;
  portBackend: string;
  /** Why that port backend was requested (config key, environment, default). */
  portBackendSource: string;
  /**
   * Every port backend named, with where: the config key and the
   * environment, even when the environment overrides the file, so a bad
   * value in either is an error (the runtime checks them against the plugins).
   */
  portBackendsNamed: { name: string; source: string }[];
  /** Whether commands go through ctrnetd: when one answers (`auto`), never, or always (`required`). */
  daemon: 'auto' | 'never' | 'required';
  /** Servers the embedded resolver forwards to (Docker's daemon `dns`); absent: the host's resolv.conf. */
  dns?: string[];
  /** IPAM driver of networks whose request and driver name none (Docker's `default`). */
  defaultIpamDriver: string;
  /** The default network (`bridge`): its driver, pools and driver options. */
  defaultNetwork: { driver: string; subnet: string; gateway?: string; ipv6: boolean; subnet6?: string; gateway6?: string; options: Record<string, string> };
  defaultAddressPools: { base: string; size: number }[];
  ephemeralPortRange: [number, number];
  /** The cluster this host belongs to; absent for a single-host installation. */
  cluster?: ClusterConfig;
  /**
   * How many empty container namespaces ctrnetd keeps ready, with loopback
   * up and a set-up session open, so `run` does not wait for one (config
   * key `netnsPool`; 0 turns the pool off). In-process commands make theirs on demand.
   */
  netnsPool: number;
  /** ctrnetd also serves Docker's remote network and IPAM driver protocol on this socket (config key `docker`); absent = it does not. */
  docker?: { pluginSocket: string };
}

/** Where Docker looks for a plugin named `ctrnet` (`-d ctrnet`, `--ipam-driver ctrnet`). */
export const DEFAULT_DOCKER_PLUGIN_SOCKET = '/run/docker/plugins/ctrnet.sock';


/** Load, validate and complete the config as cli.md specifies. */
export function loadConfig(inputs: ConfigInputs = {}): Config {
  const env = inputs.env ?? process.env;
  const path = configPathOf(inputs);
  const file = path ? readConfigFile(path) : {};
  const backendFromEnv = env.CTRNET_PORT_BACKEND;
  const daemonFromEnv = env.CTRNET_DAEMON || undefined;
  if (daemonFromEnv !== undefined && !DAEMON_MODES.includes(daemonFromEnv as Config['daemon'])) {
    throw new CtrnetError('INVALID_CONFIG', `invalid $CTRNET_DAEMON ${JSON.stringify(daemonFromEnv)}: expected one of ${DAEMON_MODES.join(', ')}`);
  }
  return {
    source: path ? resolve(path) : undefined,
    stateDir: stateDirOf(inputs, path, file.stateDir),
    plugins: file.plugins ?? [...BUILTIN_PLUGINS],
    pluginBaseDir: path ? dirname(resolve(path)) : process.cwd(),
    portBackend: backendFromEnv || file.portBackend || 'auto',
    portBackendSource: backendFromEnv ? '$CTRNET_PORT_BACKEND' : file.portBackend ? `"portBackend" in ${path}` : 'default',
    portBackendsNamed: [
      ...(file.portBackend ? [{ name: file.portBackend, source: `"portBackend" in ${path}` }] : []),
      ...(backendFromEnv ? [{ name: backendFromEnv, source: '$CTRNET_PORT_BACKEND' }] : []),
    ],
    daemon: (daemonFromEnv as Config['daemon'] | undefined) ?? file.daemon ?? 'auto',
    dns: file.dns,
    defaultIpamDriver: file.defaultIpamDriver ?? 'default',
    defaultNetwork: {
      driver: file.defaultNetwork?.driver ?? 'bridge',
      subnet: file.defaultNetwork?.subnet ?? DEFAULT_SUBNET,
      gateway: file.defaultNetwork?.gateway,
      ipv6: file.defaultNetwork?.ipv6 ?? false,
      subnet6: file.defaultNetwork?.subnet6,
      gateway6: file.defaultNetwork?.gateway6,
      options: file.defaultNetwork?.options ?? {},
    },
    defaultAddressPools: file.defaultAddressPools ?? [{ base: '172.17.0.0/12', size: 16 }],
    ephemeralPortRange: file.ephemeralPortRange ?? [32768, 60999],
    netnsPool: file.netnsPool ?? DEFAULT_NETNS_POOL,
    ...(file.cluster ? { cluster: { ...file.cluster, leaseTtlSeconds: file.cluster.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS } } : {}),
    ...(file.docker ? { docker: { pluginSocket: file.docker.pluginSocket ?? DEFAULT_DOCKER_PLUGIN_SOCKET } } : {}),
  };
}

/** Parse and validate a config file; errors name the file, the key and what was expected. */
export function readConfigFile(path: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new CtrnetError('INVALID_CONFIG', `cannot read config ${path}: ${why}; pass an existing JSON file to --config`, { cause: err });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.length ? issue.path.join('.') : '(top level)';
    const detail = issue.code === 'unrecognized_keys' ? `unknown key "${[...issue.path, issue.keys[0]].join('.')}"` : `key "${key}": ${issue.message}`;
    throw new CtrnetError(
      'INVALID_CONFIG',
      `invalid config ${path}: ${detail}; valid keys: ${Object.keys(configSchema.shape).join(', ')}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
