import { expect } from 'chai';
import { CtrnetError, planAddressedEndpoint, planEmptyNetwork, type Endpoint, type Network, type NetworkRequest } from '../src/index.js';

describe('driver-helpers', () => {
  describe('planEmptyNetwork', () => {
    const request: NetworkRequest = { name: 'host', driver: 'host', internal: false, ipv6: false, options: {} };

    it('plans empty options and driver data', () => {
      expect(planEmptyNetwork('host', request)).to.deep.equal({ options: {}, driverData: {} });
    });

    it('refuses any option, naming the driver and every option', () => {
      expect(() => planEmptyNetwork('host', { ...request, options: { mtu: '1400', 'com.example': 'x' } }))
        .to.throw(CtrnetError, 'the host driver takes no options, got "mtu", "com.example"; remove the -o flags')
        .with.property('code', 'INVALID_ARGUMENT');
    });

    for (const pool of [{ subnet: '10.250.0.0/24' }, { ipRange: '10.250.0.0/25' }, { gateway: '10.250.0.1' }]) {
      it(`refuses an address pool (${Object.keys(pool)[0]})`, () => {
        expect(() => planEmptyNetwork('none', { ...request, ...pool }))
          .to.throw(CtrnetError, 'the none driver has no address pool; remove --subnet, --ip-range and --gateway')
          .with.property('code', 'INVALID_ARGUMENT');
      });
    }
  });

  describe('planAddressedEndpoint', () => {
    const network = { id: 'ab'.repeat(32), name: 'net1', driver: 'bridge', pool: { subnet: '10.250.1.0/24', gateway: '10.250.1.1' }, options: {}, driverData: {} } as unknown as Network;
    const endpoint = (fields: Partial<Endpoint> = {}): Endpoint => ({ id: 'cd'.repeat(32), containerId: 'ef'.repeat(32), networkId: network.id, ifname: 'eth0', ipv4: '10.250.1.2', defaultRoute: true, ...fields });

    it("fills Docker's derived MAC, the prefix length and the gateway", () => {
      expect(planAddressedEndpoint('bridge', network, endpoint())).to.deep.equal({ ...endpoint(), mac: '02:42:0a:fa:01:02', prefixLen: 24, gateway: '10.250.1.1' });
    });

    it('keeps a user MAC, lower-cased, and a default gateway on the subnet', () => {
      const planned = planAddressedEndpoint('bridge', network, endpoint({ mac: '92:D0:C6:0A:29:33', defaultGateway: '10.250.1.254' }));
      expect(planned).to.include({ mac: '92:d0:c6:0a:29:33', defaultGateway: '10.250.1.254' });
    });

    it('plans a dual-stack endpoint: both prefixes and gateways, the MAC from the IPv4 address', () => {
      const dual = { ...network, pool6: { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' } } as Network;
      expect(planAddressedEndpoint('bridge', dual, endpoint({ ipv6: 'fd00:1::2' }))).to.deep.equal({
        ...endpoint({ ipv6: 'fd00:1::2' }),
        mac: '02:42:0a:fa:01:02',
        prefixLen: 24,
        gateway: '10.250.1.1',
        prefixLen6: 64,
        gateway6: 'fd00:1::1',
      });
    });

    it('plans an IPv6-only endpoint with a MAC from its id, and refuses an IPv4 --default-gateway there', () => {
      const v6only = { ...network, pool: undefined, pool6: { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' } } as unknown as Network;
      expect(planAddressedEndpoint('bridge', v6only, endpoint({ ipv4: undefined, ipv6: 'fd00:1::2' }))).to.include({ mac: '02:cd:cd:cd:cd:cd', prefixLen6: 64 });
      expect(() => planAddressedEndpoint('bridge', v6only, endpoint({ ipv4: undefined, ipv6: 'fd00:1::2', defaultGateway: '10.0.0.1' })))
        .to.throw(CtrnetError, 'network net1 is IPv6-only')
        .with.property('code', 'INVALID_ARGUMENT');
      expect(() => planAddressedEndpoint('bridge', v6only, endpoint({ ipv4: undefined, ipv6: 'fd00:2::2' }))).to.throw(CtrnetError, "outside network net1's subnet fd00:1::/64");
      expect(() => planAddressedEndpoint('bridge', v6only, endpoint({ ipv4: undefined }))).to.throw(CtrnetError, 'has no IPv6 address').with.property('code', 'INTERNAL');
    });

    it('refuses a bad address, gateway or MAC as INVALID_ARGUMENT, naming it', () => {
      for (const [fields, named] of [
        [{ ipv4: '10.250.2.2' }, 'address 10.250.2.2 is outside'],
        [{ ipv4: '10.250.1.300' }, '"10.250.1.300"'],
        [{ defaultGateway: 'gw' }, '"gw"'],
        [{ defaultGateway: '10.250.2.1' }, 'default gateway 10.250.2.1 is not on'],
        [{ defaultGateway: '10.250.1.2' }, "the container's own address"],
        [{ mac: '01:00:5e:00:00:01' }, 'multicast'],
      ] as const) {
        expect(() => planAddressedEndpoint('bridge', network, endpoint(fields)), JSON.stringify(fields))
          .to.throw(CtrnetError, named)
          .with.property('code', 'INVALID_ARGUMENT');
      }
    });

    it('refuses a network without a pool or an endpoint without an address as INTERNAL', () => {
      expect(() => planAddressedEndpoint('macvlan', { ...network, pool: undefined }, endpoint()))
        .to.throw(CtrnetError, 'macvlan network net1 has no address pool')
        .with.property('code', 'INTERNAL');
      expect(() => planAddressedEndpoint('macvlan', network, endpoint({ ipv4: undefined })))
        .to.throw(CtrnetError, 'has no IPv4 address')
        .with.property('code', 'INTERNAL');
    });
  });
});
