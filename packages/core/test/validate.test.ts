import { expect } from 'chai';
import { CtrnetError } from '../src/index.js';
import { ipamFlags, parseBoolFlag } from '../src/runtime/validate.js';

function refused(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).to.be.instanceOf(CtrnetError).with.property('code', 'INVALID_ARGUMENT');
  expect((caught as Error).message).to.match(pattern);
}

describe('runtime/validate', () => {
  describe('ipamFlags', () => {
    it("sorts Docker's repeatable --subnet/--ip-range/--gateway by family", () => {
      expect(ipamFlags({ subnet: ['10.1.0.0/24', 'fd00:1::/64'], gateway: ['fd00:1::fe', '10.1.0.254'], ipRange: ['fd00:1::/80'] })).to.deep.equal({
        subnet: '10.1.0.0/24',
        gateway: '10.1.0.254',
        subnet6: 'fd00:1::/64',
        ipRange6: 'fd00:1::/80',
        gateway6: 'fd00:1::fe',
      });
      expect(ipamFlags({})).to.deep.equal({});
    });

    it('passes values it cannot judge on to IPAM, by their look', () => {
      expect(ipamFlags({ subnet: ['abc', ':::/64'] })).to.deep.equal({ subnet: 'abc', subnet6: ':::/64' });
    });

    it('refuses two values of one family and a range or gateway without a subnet of its family', () => {
      refused(() => ipamFlags({ subnet: ['10.1.0.0/24', '10.2.0.0/24'] }), /two IPv4 --subnet values \(10.1.0.0\/24 and 10.2.0.0\/24\)/);
      refused(() => ipamFlags({ subnet: ['10.1.0.0/24'], gateway: ['fd00::1'] }), /no matching subnet for "fd00::1": an IPv6 --ip-range or --gateway needs an IPv6 --subnet/);
      refused(() => ipamFlags({ subnet: ['fd00::/64'], ipRange: ['10.1.0.0/25'] }), /no matching subnet for "10.1.0.0\/25"/);
    });
  });

  it("parses bool flags with Go's spellings", () => {
    expect(['1', 't', 'true', 'TRUE'].map((v) => parseBoolFlag('--ipv4', v))).to.deep.equal([true, true, true, true]);
    expect(['0', 'f', 'false', 'False'].map((v) => parseBoolFlag('--ipv4', v))).to.deep.equal([false, false, false, false]);
    refused(() => parseBoolFlag('--ipv4', 'no'), /invalid --ipv4 "no": expected true or false/);
  });
});
