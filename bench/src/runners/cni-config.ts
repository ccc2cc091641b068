import { CONTAINER_PORT, hostPort } from '../runner.js';

/** Names of the kernel objects this runner makes, apart from ctrnet's and netavark's. */
export const CNI_BRIDGE = 'cni-bench0';
export const CNI_SUBNET = '10.88.0.0/16';
export const CNI_NETWORK = 'cni-bench';
/** Highest spec version the Debian 1.1.1 plugins accept (`bridge` prints 0.1.0 … 1.0.0). */
export const CNI_VERSION = '1.0.0';

export type JsonObject = Record<string, unknown>;

/** A CNI network configuration list (spec section 1). */
export interface ConfList {
  cniVersion: string;
  name: string;
  plugins: JsonObject[];
}

/**
 * The conflist Podman's CNI backend used to write for its default network:
 * bridge with host-local IPAM and masquerade, then portmap for published
 * ports. host-local keeps its reservations in `dataDir` (our scratch dir)
 * instead of /var/lib/cni.
 */
export function benchConfList(dataDir: string): ConfList {
  return {
    cniVersion: CNI_VERSION,
    name: CNI_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge: CNI_BRIDGE,
        isGateway: true,
        ipMasq: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: CNI_SUBNET }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** Runtime values offered to plugins that declare the matching capability. */
export function benchRuntimeConfig(i: number): JsonObject {
  return { portMappings: [{ hostPort: hostPort(i), containerPort: CONTAINER_PORT, protocol: 'tcp' }] };
}

/**
 * The stdin of one plugin call, built as libcni does: the list's name and
 * cniVersion override the plugin's, `runtimeConfig` holds only the keys the
 * plugin declared in `capabilities`, and `prevResult` is the previous
 * plugin's result (ADD) or the cached result of the whole ADD (DEL).
 */
export function pluginInput(list: ConfList, plugin: JsonObject, runtime: JsonObject, prevResult?: JsonObject): JsonObject {
  const input: JsonObject = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const capabilities = (plugin['capabilities'] ?? {}) as Record<string, boolean>;
  const offered = Object.entries(runtime).filter(([key]) => capabilities[key]);
  if (offered.length > 0) input['runtimeConfig'] = Object.fromEntries(offered);
  if (prevResult) input['prevResult'] = prevResult;
  return input;
}
