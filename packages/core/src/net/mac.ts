/**
 * MAC addresses of container interfaces: Docker's default derived from the
 * IPv4 address (or from the endpoint id without one), and the one check of a user-given address that the CLI
 * (`--mac-address`) and every driver share.
 */
import { invalidArgument } from '../errors.js';
import { ipToInt } from './ipv4.js';

// Colons only: the form Docker documents and `Endpoint.mac` stores.
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * Docker's default MAC: `02:42:` + the four IPv4 bytes. The 02 bit marks it
 * locally administered, and deriving it from the address keeps it unique on
 * the segment as long as the addresses are, without any bookkeeping.
 */
export function macFromIpv4(ip: string): string {
  const n = ipToInt(ip);
  const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * A MAC for an interface without an IPv4 address to derive one from:
 * `02:` + the first five bytes of a random hex id (the endpoint's).
 * Locally administered and unicast; as unique on the segment as 40 random
 * bits make it, and the same every time the endpoint is planned.
 */
export function macFromId(hexId: string): string {
  return ['02', ...(hexId.slice(0, 10).match(/../g) ?? [])].join(':');
}

/**
 * Validate a user-given MAC and return it lower case. It must be a unicast,
 * non-zero address: a bridge drops every frame sent from a multicast source
 * MAC, and the kernel refuses one on a macvlan link.
 *
 * @param what Names the value in the error message, e.g. `--mac-address`.
 * @throws CtrnetError INVALID_ARGUMENT naming the value.
 */
export function normaliseMac(value: string, what = 'MAC address'): string {
  const quoted = JSON.stringify(value);
  if (!MAC.test(value)) {
    throw invalidArgument(`invalid ${what} ${quoted}: expected six hex octets separated by colons, such as 02:42:ac:11:00:02`);
  }
  if (parseInt(value.slice(0, 2), 16) & 1) {
    throw invalidArgument(`invalid ${what} ${quoted}: a multicast address; use a unicast one (even first octet, e.g. 02:...)`);
  }
  if (value === '00:00:00:00:00:00') {
    throw invalidArgument(`invalid ${what} ${quoted}: all zeros; use a unicast address such as 02:42:ac:11:00:02`);
  }
  return value.toLowerCase();
}
