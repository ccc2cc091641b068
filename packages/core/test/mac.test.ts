import { expect } from 'chai';
import { CtrnetError, checkMac, macFromIpv4, normaliseMac } from '../src/index.js';
import { macFromId } from '../src/net/mac.js';

describe('net/mac', () => {
  describe('macFromIpv4', () => {
    it("derives Docker's 02:42 + IPv4 bytes", () => {
      expect(macFromIpv4('172.17.0.2')).to.equal('02:42:ac:11:00:02');
      expect(macFromIpv4('10.250.1.255')).to.equal('02:42:0a:fa:01:ff');
    });
  });

  describe('macFromId', () => {
    it('takes 02 and the first five bytes of a hex id: locally administered, unicast', () => {
      expect(macFromId('feedc0ffee0123456789')).to.equal('02:fe:ed:c0:ff:ee');
    });
  });

  describe('normaliseMac', () => {
    it('lower-cases', () => {
      expect(normaliseMac('02:42:AC:11:00:02')).to.equal('02:42:ac:11:00:02');
      expect(normaliseMac('92:d0:C6:0a:29:33')).to.equal('92:d0:c6:0a:29:33');
    });

    for (const bad of ['02:42:ac:11:00', '02:42:ac:11:00:02:03', '02-42-ac-11-00-02', '02:42-ac:11:00:02', 'zz:42:ac:11:00:02', '0242ac110002', ' 02:42:ac:11:00:02', '']) {
      it(`refuses the malformed ${JSON.stringify(bad)}, naming it`, () => {
        expect(() => normaliseMac(bad))
          .to.throw(CtrnetError, `invalid MAC address ${JSON.stringify(bad)}`)
          .with.property('code', 'INVALID_ARGUMENT');
      });
    }

    it('refuses multicast and all-zero addresses', () => {
      expect(() => normaliseMac('01:00:5e:00:00:01')).to.throw(CtrnetError, /multicast/);
      expect(() => normaliseMac('ff:ff:ff:ff:ff:ff')).to.throw(CtrnetError, /multicast/);
      expect(() => normaliseMac('00:00:00:00:00:00')).to.throw(CtrnetError, /all zeros/);
    });
  });

  describe('checkMac', () => {
    it('is normaliseMac naming the --mac-address flag', () => {
      expect(checkMac('02:42:AC:11:00:09')).to.equal('02:42:ac:11:00:09');
      expect(() => checkMac('01:00:5e:00:00:01')).to.throw(CtrnetError, 'invalid --mac-address "01:00:5e:00:00:01": a multicast address');
    });
  });
});
