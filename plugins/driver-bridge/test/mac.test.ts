import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { macFromIpv4, normaliseMac } from '../src/mac.js';

describe('macFromIpv4', () => {
  it("derives Docker's 02:42 + IPv4 bytes", () => {
    expect(macFromIpv4('172.17.0.2')).to.equal('02:42:ac:11:00:02');
    expect(macFromIpv4('10.250.1.255')).to.equal('02:42:0a:fa:01:ff');
  });
});

describe('normaliseMac', () => {
  it('lower-cases and uses colons', () => {
    expect(normaliseMac('02:42:AC:11:00:02')).to.equal('02:42:ac:11:00:02');
    expect(normaliseMac('92-D0-C6-0A-29-33')).to.equal('92:d0:c6:0a:29:33');
  });

  for (const bad of ['02:42:ac:11:00', '02:42:ac:11:00:02:03', '02:42-ac:11:00:02', 'zz:42:ac:11:00:02', '0242ac110002', '']) {
    it(`refuses the malformed ${JSON.stringify(bad)}`, () => {
      expect(() => normaliseMac(bad)).to.throw(CtrnetError, `"${bad}"`);
    });
  }

  it('refuses multicast and all-zero addresses', () => {
    expect(() => normaliseMac('01:00:5e:00:00:01')).to.throw(CtrnetError, /multicast/);
    expect(() => normaliseMac('ff:ff:ff:ff:ff:ff')).to.throw(CtrnetError, /multicast/);
    expect(() => normaliseMac('00:00:00:00:00:00')).to.throw(CtrnetError, /all zeros/);
  });
});
