/** The one sysctl the nftables backend needs. */

/**
 * `route_localnet=1` on a bridge lets packets with a 127/8 source (curl
 * 127.0.0.1:PORT on the host, DNATed to a container and masqueraded) leave
 * through it and their replies come back; without it the kernel drops them
 * as martians. The guard chain drops 127/8 destinations arriving from
 * bridges, so containers gain no path to the host's loopback services.
 * sysctl keys use `.` as separator; a bridge name containing a dot needs the
 * `/` form, where dots are literal.
 */
export function routeLocalnetArgv(bridge: string): string[] {
  const key = bridge.includes('.') ? `net/ipv4/conf/${bridge}/route_localnet` : `net.ipv4.conf.${bridge}.route_localnet`;
  return ['sysctl', '-qw', `${key}=1`];
}
