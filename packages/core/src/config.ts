import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { configPathOf, stateDirOf, type ConfigInputs } from './config-location.js';
import { CtrnetError } from './errors.js';
import { BUILTIN_PLUGINS } from './loader.js';
import { cidrContains, cidrRange, isValidCidr } from './net/cidr.js';
import { isValidIpv4 } from './net/ipv4.js';

/** The default network's subnet when the config does not set one (Docker's docker0). */
const DEFAULT_SUBNET = '172.17.0.0/16';

const DAEMON_MODES = ['auto', 'never', 'required'] as const;

const cidr = z.string().refine(isValidCidr, { message: 'expected an IPv4 CIDR such as 172.17.0.0/16' });
const port = z.number().int().min(1).max(65535);

const configSchema = z
  .object({
    stateDir: z.string().min(1).optional(),
    plugins: z.array(z.string().min(1)).optional(),
    portBackend: z.string().min(1).optional(),
    daemon: z.enum(DAEMON_MODES).optional(),
    defaultIpamDriver: z.string().min(1).optional(),
    defaultNetwork: z
      .object({
        driver: z.string().min(1).optional(),
        subnet: cidr.optional(),
        gateway: z.string().optional(),
        options: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .refine((n) => n.gateway === undefined || (isValidIpv4(n.gateway) && cidrContains(n.subnet ?? DEFAULT_SUBNET, n.gateway)), {
        message: 'expected an IPv4 address inside defaultNetwork.subnet',
        path: ['gateway'],
      })
      .optional(),
    defaultAddressPools: z
      .array(
        z
          .object({ base: cidr, size: z.number().int().min(8).max(30) })
          .strict()
          // A pool cannot be cut into subnets larger than itself.
          .refine((p) => !isValidCidr(p.base) || p.size >= cidrRange(p.base).prefix, { message: 'expected a prefix length at least that of "base"', path: ['size'] }),
      )
      .min(1)
      .optional(),
    ephemeralPortRange: z
      .tuple([port, port])
      .refine(([a, b]) => a <= b, { message: 'expected [low, high] with low <= high' })
      .optional(),
  })
  .strict();

/** The config as the user wrote it (every key optional). */
export type ConfigFile = z.infer<typeof configSchema>;

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
  /** IPAM driver of networks whose request and driver name none (Docker's `default`). */
  defaultIpamDriver: string;
  /** The default network (`bridge`): its driver, pool and driver options. */
  defaultNetwork: { driver: string; subnet: string; gateway?: string; options: Record<string, string> };
  defaultAddressPools: { base: string; size: number }[];
  ephemeralPortRange: [number, number];
}


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
    defaultIpamDriver: file.defaultIpamDriver ?? 'default',
    defaultNetwork: {
      driver: file.defaultNetwork?.driver ?? 'bridge',
      subnet: file.defaultNetwork?.subnet ?? DEFAULT_SUBNET,
      gateway: file.defaultNetwork?.gateway,
      options: file.defaultNetwork?.options ?? {},
    },
    defaultAddressPools: file.defaultAddressPools ?? [{ base: '172.17.0.0/12', size: 16 }],
    ephemeralPortRange: file.ephemeralPortRange ?? [32768, 60999],
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
