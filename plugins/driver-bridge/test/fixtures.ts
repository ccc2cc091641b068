/** Literal networks, endpoints and sandboxes for the bridge driver's tests. */
import type { Endpoint, Network, Sandbox } from '@ctrnet/core';

export const NETWORK_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const ENDPOINT_ID = 'feedc0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345';

/** An IPv6 pool for dual-stack and IPv6-only variants of the network. */
export const POOL6 = { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' };

export function network(overrides: Partial<Network> = {}): Network {
  return {
    id: NETWORK_ID,
    name: 'front',
    driver: 'bridge',
    ipamDriver: 'default',
    pool: { subnet: '10.250.1.0/24', gateway: '10.250.1.1' },
    internal: false,
    ipv6: false,
    options: { icc: 'true', masquerade: 'true', host_binding_ipv4: '0.0.0.0' },
    driverData: { bridge: 'ctr-a1b2c3d4e5f' },
    created: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function endpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return {
    id: ENDPOINT_ID,
    containerId: 'c'.repeat(64),
    networkId: NETWORK_ID,
    ifname: 'eth0',
    ipv4: '10.250.1.2',
    defaultRoute: true,
    ...overrides,
  };
}

export function sandbox(overrides: Partial<Sandbox> = {}): Sandbox {
  return { containerId: 'c'.repeat(64), netnsPath: '/run/netns/ctrnet-cccccccccccc', kind: 'own', ...overrides };
}
