/** `-o` options of overlay networks: the few a cluster-wide network can honour on every host. */
import { invalidArgument, type NetworkRequest } from '@ctrnet/core';

const KNOWN = ['icc', 'mtu'] as const;

/** Validate and normalise `-o` options. */
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
  // --subnet, --ip-range and --gateway are the IPAM's to check: the etcd IPAM needs the first and refuses the others.
  return options;
}
