/** `-o` options of overlay networks: the few a cluster-wide network can honour on every host. */
import { invalidArgument, type NetworkRequest } from '@ctrnet/core';

const KNOWN = ['icc', 'mtu'] as const;

/** Validate and normalise; refuses what an overlay cannot do (per-host ranges and gateways). */
export function normaliseOverlayOptions(request: NetworkRequest): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.options)) {
    const short = key.replace(/^com\.docker\.network\.bridge\.enable_/, '').replace(/^com\.docker\.network\.driver\./, '');
    if (!(KNOWN as readonly string[]).includes(short)) {
      throw invalidArgument(`unknown overlay option "${key}"; valid: ${KNOWN.join(', ')}`);
    }
    if (short === 'icc' && value !== 'true' && value !== 'false') throw invalidArgument(`invalid -o icc=${value}: expected true or false`);
    if (short === 'mtu' && !(/^\d+$/.test(value) && Number(value) >= 576 && Number(value) <= 65485)) {
      throw invalidArgument(`invalid -o mtu=${value}: expected a number from 576 to 65485 (the default is the uplink's MTU minus 50)`);
    }
    options[short] = value;
  }
  if (request.ipRange !== undefined || request.gateway !== undefined) {
    throw invalidArgument(`overlay network "${request.name}" gets one slice and gateway per host from its IPAM; drop --ip-range and --gateway`);
  }
  if (request.subnet === undefined) {
    throw invalidArgument(`overlay network "${request.name}" needs --subnet: one range for the whole cluster, e.g. --subnet 10.200.0.0/16`);
  }
  return options;
}
