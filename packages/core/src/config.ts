import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CtrnetError } from './errors.js';
import { BUILTIN_PLUGINS } from './loader.js';
import { cidrContains, cidrRange, isValidCidr, isValidIpv4 } from './net/cidr.js';

/** The default network's subnet when the config does not set one (Docker's docker0). */
const DEFAULT_SUBNET = '172.17.0.0/16';

const cidr = z.string().refine(isValidCidr, { message: 'expected an IPv4 CIDR such as 172.17.0.0/16' });
const port = z.number().int().min(1).max(65535);

const configSchema = z
  .object({
    stateDir: z.string().min(1).optional(),
    plugins: z.array(z.string().min(1)).optional(),
    portBackend: z.string().min(1).optional(),
    defaultNetwork: z
      .object({
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
  defaultNetwork: { subnet: string; gateway?: string; options: Record<string, string> };
  defaultAddressPools: { base: string; size: number }[];
  ephemeralPortRange: [number, number];
}

export const DEFAULT_CONFIG_PATH = '/etc/ctrnet/config.json';
export const DEFAULT_STATE_DIR = '/var/lib/ctrnet';

/** Where values come from, highest priority first: flags, then environment, then file. */
export interface ConfigInputs {
  configPath?: string;
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Load, validate and complete the config as cli.md specifies. */
export function loadConfig(inputs: ConfigInputs = {}): Config {
  const env = inputs.env ?? process.env;
  // An empty variable counts as unset: CTRNET_STATE_DIR= must not make the cwd the state dir (and chmod it 0700).
  const path = inputs.configPath ?? (env.CTRNET_CONFIG || undefined) ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
  const file = path ? readConfigFile(path) : {};
  const backendFromEnv = env.CTRNET_PORT_BACKEND;
  return {
    source: path ? resolve(path) : undefined,
    // A relative stateDir in the file means next to the file, as plugin paths do; flags and env are relative to the cwd.
    stateDir: resolve(inputs.stateDir ?? (env.CTRNET_STATE_DIR || undefined) ?? (file.stateDir && path ? resolve(dirname(path), file.stateDir) : DEFAULT_STATE_DIR)),
    plugins: file.plugins ?? [...BUILTIN_PLUGINS],
    pluginBaseDir: path ? dirname(resolve(path)) : process.cwd(),
    portBackend: backendFromEnv || file.portBackend || 'auto',
    portBackendSource: backendFromEnv ? '$CTRNET_PORT_BACKEND' : file.portBackend ? `"portBackend" in ${path}` : 'default',
    defaultNetwork: {
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
      `invalid config ${path}: ${detail}; valid keys: stateDir, plugins, portBackend, defaultNetwork, defaultAddressPools, ephemeralPortRange`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
