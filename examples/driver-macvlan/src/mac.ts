/** MAC addresses of container interfaces: Docker's derived default and user-given ones. */
import { invalidArgument, ipToInt } from '@ctrnet/core';

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/**
 * Docker's default: `02:42:` + the four IPv4 bytes. Locally administered,
 * and unique on the LAN segment as long as the addresses are.
 */
export function macFromIpv4(ip: string): string {
  const n = ipToInt(ip);
  const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * Validate a `--mac-address` and return it lower case with colons. It must
 * be unicast: the kernel refuses a multicast address on a macvlan link.
 */
export function normaliseMac(mac: string): string {
  if (!MAC.test(mac)) {
    throw invalidArgument(`invalid MAC address "${mac}": expected six hex octets such as 02:42:0a:fa:07:02`);
  }
  const normalised = mac.toLowerCase().replaceAll('-', ':');
  if (parseInt(normalised.slice(0, 2), 16) & 1) {
    throw invalidArgument(`MAC address "${mac}" is a multicast address; use a unicast one (even first octet, e.g. 02:...)`);
  }
  if (normalised === '00:00:00:00:00:00') {
    throw invalidArgument(`MAC address "${mac}" is all zeros; use a unicast address such as 02:42:0a:fa:07:02`);
  }
  return normalised;
}
