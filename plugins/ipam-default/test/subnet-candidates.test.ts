import { expect } from 'chai';
import { candidateSubnets } from '../src/subnet-candidates.js';
import { ctrnetError } from './helpers.js';

describe('candidateSubnets', () => {
  it('carves 172.17.0.0/12 into /16s from 172.17 to 172.31, like Docker', () => {
    const all = [...candidateSubnets([{ base: '172.17.0.0/12', size: 16 }])];
    expect(all).to.have.length(15);
    expect(all[0]).to.equal('172.17.0.0/16');
    expect(all.at(-1)).to.equal('172.31.0.0/16');
  });

  it('walks pools in config order', () => {
    const pools = [
      { base: '10.1.0.0/23', size: 24 },
      { base: '192.168.0.0/16', size: 20 },
    ];
    expect([...candidateSubnets(pools)].slice(0, 4)).to.deep.equal(['10.1.0.0/24', '10.1.1.0/24', '192.168.0.0/20', '192.168.16.0/20']);
  });

  it('yields the base itself when size equals its prefix', () => {
    expect([...candidateSubnets([{ base: '10.9.0.0/16', size: 16 }])]).to.deep.equal(['10.9.0.0/16']);
  });

  it('is lazy: a /8 cut into /30s does not build four million strings', () => {
    const it = candidateSubnets([{ base: '10.0.0.0/8', size: 30 }]);
    expect(it.next().value).to.equal('10.0.0.0/30');
    expect(it.next().value).to.equal('10.0.0.4/30');
  });

  it('refuses a size shorter than the base prefix', async () => {
    const err = await ctrnetError(() => [...candidateSubnets([{ base: '10.0.0.0/16', size: 8 }])]);
    expect(err.code).to.equal('INVALID_CONFIG');
    expect(err.message).to.contain('"10.0.0.0/16"').and.contain('/16 to /30');
  });

  it('refuses a bad later entry before handing out the first candidate', async () => {
    const err = await ctrnetError(() => candidateSubnets([{ base: '10.0.0.0/16', size: 24 }, { base: '10.1.0.0/16', size: 31 }]).next());
    expect(err.code).to.equal('INVALID_CONFIG');
    expect(err.message).to.contain('"10.1.0.0/16"');
  });

  it('carves an IPv6 /48 into /64s lazily and yields only the asked family', () => {
    const pools = [{ base: '172.17.0.0/12', size: 16 }, { base: 'fd12:3456:789a::/48', size: 64 }];
    const gen = candidateSubnets(pools, 6);
    expect([gen.next().value, gen.next().value]).to.deep.equal(['fd12:3456:789a::/64', 'fd12:3456:789a:1::/64']);
    expect([...candidateSubnets([{ base: 'fd00::/120', size: 120 }], 6)]).to.deep.equal(['fd00::/120']);
    expect([...candidateSubnets([{ base: 'fd00::/120', size: 120 }], 4)]).to.deep.equal([]);
  });

  for (const [base, size, pattern] of [
    ['fd00::/32', 64, /an IPv6 base must be \/48 or longer/],
    ['fd00::/48', 121, /size must be a prefix length from the base's \/48 to \/120/],
    ['fd00::/64', 48, /size must be a prefix length from the base's \/64 to \/120/],
  ] as const) {
    it(`refuses the IPv6 pool ${base} size ${size}`, async () => {
      const err = await ctrnetError(() => [...candidateSubnets([{ base, size }], 6)]);
      expect(err.code).to.equal('INVALID_CONFIG');
      expect(err.message).to.match(pattern);
    });
  }
});
