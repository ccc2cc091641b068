/** MAC addresses of container interfaces: Docker's derived default and user-given ones. */
import { invalidArgument, ipToInt } from '@ctrnet/core';

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/**
 * Docker's default: `02:42:` + the four IPv4 bytes. The 02 bit marks it
 * locally administered, and deriving it from the address keeps it unique
 * on the bridge without any bookkeeping.
 */
export function macFromIpv4(ip: string): string {
  const n = ipToInt(ip);
  const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * Validate a user-given MAC (`--mac-address`) and return it lower case with
 * colons. It must be a unicast address: a multicast source MAC makes the
 * bridge drop every frame the container sends.
 */
export function normaliseMac(mac: string): string {
  if (!MAC.test(mac)) {
    throw invalidArgument(`invalid MAC address "${mac}": expected six hex octets such as 02:42:ac:11:00:02`);
  }
  const normalised = mac.toLowerCase().replaceAll('-', ':');
  if (parseInt(normalised.slice(0, 2), 16) & 1) {
    throw invalidArgument(`MAC address "${mac}" is a multicast address; use a unicast one (even first octet, e.g. 02:...)`);
  }
  if (normalised === '00:00:00:00:00:00') {
    throw invalidArgument(`MAC address "${mac}" is all zeros; use a unicast address such as 02:42:ac:11:00:02`);
  }
  return normalised;
}
