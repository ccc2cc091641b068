import { expect } from 'chai';
import { checkWantedAddress, settlePool } from '../src/pool-request.js';
import { ctrnetError } from './helpers.js';

describe('settlePool', () => {
  it('defaults the gateway to the first usable address', () => {
    expect(settlePool('10.10.0.0/16')).to.deep.equal({ subnet: '10.10.0.0/16', gateway: '10.10.0.1' });
  });

  it('keeps an ip-range inside the subnet and an explicit gateway', () => {
    expect(settlePool('10.10.0.0/16', '10.10.5.0/24', '10.10.0.254')).to.deep.equal({
      subnet: '10.10.0.0/16',
      ipRange: '10.10.5.0/24',
      gateway: '10.10.0.254',
    });
  });

  it('accepts an ip-range equal to the subnet and a /30', () => {
    expect(settlePool('10.0.0.0/30', '10.0.0.0/30')).to.deep.equal({ subnet: '10.0.0.0/30', ipRange: '10.0.0.0/30', gateway: '10.0.0.1' });
  });

  it('refuses a subnet with host bits set and suggests its network address', async () => {
    const err = await ctrnetError(() => settlePool('10.1.2.3/8'));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('"10.1.2.3/8"').and.contain('10.0.0.0/8');
  });

  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'foo', '300.0.0.0/8', '10.0.0.0/8/8', '']) {
    it(`refuses the malformed subnet "${bad}"`, async () => {
      const err = await ctrnetError(() => settlePool(bad));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.contain(`"${bad}"`).and.contain('IPv4 CIDR');
    });
  }

  for (const prefix of [31, 32]) {
    it(`refuses a /${prefix} subnet: no room for a container`, async () => {
      const err = await ctrnetError(() => settlePool(`10.0.0.0/${prefix}`));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.contain(`10.0.0.0/${prefix}`).and.contain('/30 or shorter');
    });
  }

  it('refuses an ip-range outside the subnet', async () => {
    const err = await ctrnetError(() => settlePool('10.10.0.0/16', '10.11.0.0/24'));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('10.11.0.0/24').and.contain('not inside subnet 10.10.0.0/16');
  });

  it('refuses an ip-range larger than the subnet', async () => {
    const err = await ctrnetError(() => settlePool('10.10.0.0/16', '10.0.0.0/8'));
    expect(err.message).to.contain('not inside subnet');
  });

  it('refuses an ip-range with host bits set', async () => {
    const err = await ctrnetError(() => settlePool('10.10.0.0/16', '10.10.5.7/24'));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('ip-range').and.contain('10.10.5.0/24');
  });

  it('refuses a gateway outside the subnet, naming the usable span', async () => {
    const err = await ctrnetError(() => settlePool('10.10.0.0/24', undefined, '10.10.1.1'));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('10.10.1.1').and.contain('10.10.0.1 to 10.10.0.254');
  });

  it('refuses the network and broadcast addresses as gateway', async () => {
    expect((await ctrnetError(() => settlePool('10.10.0.0/24', undefined, '10.10.0.0'))).message).to.contain('network address');
    expect((await ctrnetError(() => settlePool('10.10.0.0/24', undefined, '10.10.0.255'))).message).to.contain('broadcast address');
  });

  it('refuses a gateway that is not an address', async () => {
    const err = await ctrnetError(() => settlePool('10.10.0.0/24', undefined, '10.10.0.1/24'));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('"10.10.0.1/24"');
  });
});

describe('checkWantedAddress', () => {
  const pool = { subnet: '10.20.0.0/24', ipRange: '10.20.0.128/25', gateway: '10.20.0.1' };

  it('accepts an address inside the ip-range', () => {
    expect(() => checkWantedAddress(pool, '10.20.0.200')).not.to.throw();
  });

  it('accepts an address in the subnet but outside the ip-range, like Docker', () => {
    expect(() => checkWantedAddress(pool, '10.20.0.5')).not.to.throw();
  });

  const refused: [string, string][] = [
    ['10.20.1.5', 'not inside the network\'s subnet 10.20.0.0/24'],
    ['10.20.0.0', 'network address'],
    ['10.20.0.255', 'broadcast address'],
    ['10.20.0.1', 'gateway'],
    ['10.20.0', 'invalid IP address'],
    ['10.20.0.300', 'invalid IP address'],
  ];
  for (const [wanted, why] of refused) {
    it(`refuses ${wanted} (${why})`, async () => {
      const err = await ctrnetError(() => checkWantedAddress(pool, wanted));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.contain(wanted).and.contain(why).and.contain('10.20.0.1 to 10.20.0.254');
    });
  }
});

describe('IPv6 pools and addresses', () => {
  it('settles a subnet canonically with the gateway after the anycast address', () => {
    expect(settlePool('FD00:1:0:0::/64', undefined, undefined, 6)).to.deep.equal({ subnet: 'fd00:1::/64', gateway: 'fd00:1::1' });
    expect(settlePool('fd00:1::/64', 'fd00:1::/80', 'FD00:1::FE', 6)).to.deep.equal({ subnet: 'fd00:1::/64', ipRange: 'fd00:1::/80', gateway: 'fd00:1::fe' });
  });

  for (const [subnet, ipRange, gateway, pattern] of [
    ['fd00:1::/129', undefined, undefined, /expected an IPv6 CIDR such as fd00:28::\/64/],
    ['10.0.0.0/8', undefined, undefined, /it is an IPv4 CIDR, give it for the other family/],
    ['fd00:1::5/64', undefined, undefined, /host bits are set\); did you mean fd00:1::\/64\?/],
    ['fd00:1::/127', undefined, undefined, /a \/127 has no room/],
    ['fd00:1::/64', 'fd00:2::/80', undefined, /it is not inside subnet fd00:1::\/64/],
    ['fd00:1::/64', undefined, 'fd00:2::1', /it is not inside subnet fd00:1::\/64; use an address from fd00:1::1 to fd00:1::ffff:ffff:ffff:ffff/],
    ['fd00:1::/64', undefined, 'fd00:1::', /subnet-router anycast address/],
    ['fd00:1::/64', undefined, '10.0.0.1', /expected an IPv6 address in subnet fd00:1::\/64/],
  ] as const) {
    it(`refuses ${subnet} ${ipRange ?? ''} ${gateway ?? ''}`, async () => {
      const err = await ctrnetError(() => settlePool(subnet, ipRange, gateway, 6));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.match(pattern);
    });
  }

  it('checks a static IPv6 address and returns it canonical', () => {
    expect(checkWantedAddress({ subnet: 'fd00:1::/64', gateway: 'fd00:1::1' }, 'FD00:1::0A')).to.equal('fd00:1::a');
  });
});

