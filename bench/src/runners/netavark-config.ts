import { CONTAINER_PORT, hostPort } from '../runner.js';

export const NETAVARK_BRIDGE = 'nv-bench0';
export const NETAVARK_NETWORK = 'nv-bench';
/** Network ids are 64 hex digits in Podman; netavark derives its chain names from them. */
const NETWORK_ID = 'be0c'.padEnd(64, '0');

/**
 * Container i's address. Podman allocates addresses itself and hands them to
 * netavark as static_ips; .1 is the gateway and container 0 is the memory probe.
 */
export function netavarkAddress(i: number): string {
  const n = i + 2;
  return `10.89.${n >> 8}.${n & 255}`;
}

/**
 * The network options Podman passes on netavark's stdin for `setup` and
 * `teardown` (format of netavark 1.4, see its test/testfiles/*.json): one
 * bridge network without DNS, one published TCP port.
 */
export function netavarkOptions(i: number): object {
  return {
    container_id: i.toString(16).padStart(64, '0'),
    container_name: `nv-bench-${i}`,
    port_mappings: [{ host_ip: '', container_port: CONTAINER_PORT, host_port: hostPort(i), range: 1, protocol: 'tcp' }],
    networks: {
      [NETAVARK_NETWORK]: { static_ips: [netavarkAddress(i)], interface_name: 'eth0' },
    },
    network_info: {
      [NETAVARK_NETWORK]: {
        name: NETAVARK_NETWORK,
        id: NETWORK_ID,
        driver: 'bridge',
        network_interface: NETAVARK_BRIDGE,
        subnets: [{ subnet: '10.89.0.0/16', gateway: '10.89.0.1' }],
        ipv6_enabled: false,
        internal: false,
        dns_enabled: false,
        ipam_options: { driver: 'host-local' },
      },
    },
  };
}
