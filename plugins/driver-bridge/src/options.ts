/**
 * The bridge driver's `-o KEY=VAL` options. Each option has a short key (what
 * ctrnet stores and shows) and Docker's long key, so a Docker user's
 * `-o com.docker.network.bridge.name=br0` works unchanged.
 */
import createDebug from 'debug';
import { GATEWAY_MODES, MAX_IFNAME_LENGTH, invalidArgument, isValidIfName, isValidIpv4, type GatewayMode, type NetworkRequest } from '@ctrnet/core';
import { BRIDGE_PREFIX, DEFAULT_BRIDGE } from './names.js';

const debug = createDebug('ctrnet:driver-bridge:options');

/** Options as stored on the network, under their short keys. */
export type BridgeOptionKey = 'bridge_name' | 'mtu' | 'icc' | 'masquerade' | 'host_binding_ipv4' | 'gateway_mode_ipv4' | 'gateway_mode_ipv6';

interface OptionSpec {
  dockerKey: string;
  /** Returns the canonical value, or undefined when `value` is invalid. */
  parse(value: string): string | undefined;
  /** What a valid value looks like, for error messages. */
  expected: string;
  /** Stored when the user gives nothing; options without one stay absent. */
  default?: string;
}

// Docker parses booleans with Go's strconv.ParseBool; accept the same spellings.
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function parseBool(value: string): string | undefined {
  if (TRUE.has(value)) return 'true';
  if (FALSE.has(value)) return 'false';
  return undefined;
}

/** 68 is IPv4's minimum MTU (RFC 791); 65535 the largest a veth accepts. */
function parseMtu(value: string): string | undefined {
  if (!/^\d{1,5}$/.test(value)) return undefined;
  const mtu = Number(value);
  return mtu >= 68 && mtu <= 65535 ? String(mtu) : undefined;
}

const OPTIONS: Record<BridgeOptionKey, OptionSpec> = {
  bridge_name: {
    dockerKey: 'com.docker.network.bridge.name',
    parse: (v) => (isValidIfName(v) ? v : undefined),
    expected: `an interface name of 1 to ${MAX_IFNAME_LENGTH} characters from [A-Za-z0-9_.-]`,
  },
  mtu: {
    dockerKey: 'com.docker.network.driver.mtu',
    parse: parseMtu,
    expected: 'an integer from 68 to 65535',
  },
  icc: {
    dockerKey: 'com.docker.network.bridge.enable_icc',
    parse: parseBool,
    expected: 'true or false',
    default: 'true',
  },
  masquerade: {
    dockerKey: 'com.docker.network.bridge.enable_ip_masquerade',
    parse: parseBool,
    expected: 'true or false',
    default: 'true',
  },
  host_binding_ipv4: {
    dockerKey: 'com.docker.network.bridge.host_binding_ipv4',
    parse: (v) => (isValidIpv4(v) ? v : undefined),
    expected: 'an IPv4 address such as 127.0.0.1',
    default: '0.0.0.0',
  },
  // No stored default: absent is nat, so networks made before these options existed read the same.
  gateway_mode_ipv4: {
    dockerKey: 'com.docker.network.bridge.gateway_mode_ipv4',
    parse: parseGatewayMode,
    expected: GATEWAY_MODES.join(', '),
  },
  gateway_mode_ipv6: {
    dockerKey: 'com.docker.network.bridge.gateway_mode_ipv6',
    parse: parseGatewayMode,
    expected: GATEWAY_MODES.join(', '),
  },
};

function parseGatewayMode(value: string): string | undefined {
  return (GATEWAY_MODES as readonly string[]).includes(value) ? value : undefined;
}

/** IPv6's minimum link MTU (RFC 8200): below it the kernel turns IPv6 off on the interface. */
const MIN_IPV6_MTU = 1280;

/**
 * The options that depend on the rest of the request: a gateway mode only
 * for a family the network has, `isolated` only on an internal network
 * (Docker's rule: there is no gateway to route through), and an MTU that
 * IPv6 can live with.
 */
export function checkOptionsFitRequest(options: Readonly<Record<string, string>>, request: Pick<NetworkRequest, 'name' | 'internal' | 'ipv4' | 'ipv6'>): void {
  const name = JSON.stringify(request.name);
  for (const [key, on, flag] of [
    ['gateway_mode_ipv4', request.ipv4 !== false, '--ipv4=false'],
    ['gateway_mode_ipv6', request.ipv6, 'no --ipv6'],
  ] as const) {
    const mode = options[key] as GatewayMode | undefined;
    if (mode === undefined) continue;
    if (!on) throw invalidArgument(`bridge driver option ${key}=${mode} for network ${name}, which has ${flag}; drop the option`);
    if (mode === 'isolated' && !request.internal) throw invalidArgument(`bridge driver option ${key}=isolated needs an internal network; add --internal to network ${name}`);
  }
  if (request.ipv6 && options.mtu !== undefined && Number(options.mtu) < MIN_IPV6_MTU) {
    throw invalidArgument(`invalid value "${options.mtu}" for bridge driver option mtu on IPv6 network ${name}: IPv6 needs at least ${MIN_IPV6_MTU}`);
  }
}

const SHORT_KEYS = Object.keys(OPTIONS) as BridgeOptionKey[];

/** Short key for a key as the user typed it (short or Docker's long form). */
function shortKeyOf(key: string): BridgeOptionKey | undefined {
  return SHORT_KEYS.find((k) => k === key || OPTIONS[k].dockerKey === key);
}

function validOptionsList(): string {
  return SHORT_KEYS.map((k) => `${k} (${OPTIONS[k].dockerKey})`).join(', ');
}

/**
 * Validate raw options and return them under short keys, with defaults
 * filled in. Throws INVALID_ARGUMENT naming the bad key and value.
 */
export function normaliseBridgeOptions(raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const givenAs: Partial<Record<BridgeOptionKey, string>> = {};
  for (const [key, value] of Object.entries(raw)) {
    const short = shortKeyOf(key);
    if (!short) {
      throw invalidArgument(`unknown bridge driver option "${key}"; valid options are ${validOptionsList()}`);
    }
    const previous = givenAs[short];
    if (previous !== undefined) {
      throw invalidArgument(`bridge driver option ${short} is given twice (as "${previous}" and "${key}"); give it once`);
    }
    const spec = OPTIONS[short];
    const parsed = spec.parse(value);
    if (parsed === undefined) {
      throw invalidArgument(`invalid value "${value}" for bridge driver option ${key}: expected ${spec.expected}`);
    }
    givenAs[short] = key;
    out[short] = parsed;
  }
  for (const key of SHORT_KEYS) {
    const fallback = OPTIONS[key].default;
    if (out[key] === undefined && fallback !== undefined) out[key] = fallback;
  }
  debug('normalised %o to %o', raw, out);
  return out;
}

/**
 * The Linux bridge a network uses: `bridge_name`, else `ctrnet0` for the
 * installation's default network, else `ctr-` + 11 hex chars of the network id.
 */
export function bridgeNameFor(options: Readonly<Record<string, string>>, networkId: string, builtin = false): string {
  return options.bridge_name ?? (builtin ? DEFAULT_BRIDGE : BRIDGE_PREFIX + networkId.slice(0, 11));
}
