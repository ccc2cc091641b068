import { expect } from 'chai';
import { isCtrnetError } from '@ctrnet/core';
import { hostPool, sliceAddresses, slicePrefixOf } from '../src/slices.js';

describe('slices', () => {
  it('cuts /20 and larger into /24s, smaller subnets into sixteenths down to /28, and refuses smaller than /26', () => {
    expect(slicePrefixOf('10.0.0.0/8')).to.equal(24);
    expect(slicePrefixOf('10.210.0.0/16')).to.equal(24);
    expect(slicePrefixOf('10.210.0.0/22')).to.equal(26);
    expect(slicePrefixOf('10.210.0.0/26')).to.equal(28);
    try {
      slicePrefixOf('10.210.0.0/27');
      expect.fail('accepted');
    } catch (err) {
      expect(isCtrnetError(err, 'INVALID_ARGUMENT')).to.equal(true);
    }
  });

  it('lists every slice lowest first', () => {
    expect([...sliceAddresses('10.210.0.0/26', 28)]).to.deep.equal(['10.210.0.0', '10.210.0.16', '10.210.0.32', '10.210.0.48']);
    expect([...sliceAddresses('10.210.0.0/16', 24)]).to.have.length(256);
  });

  it("gives a host the cluster subnet, its slice as range and the slice's first address as gateway", () => {
    expect(hostPool('10.210.0.0/16', '10.210.7.0', 24)).to.deep.equal({ subnet: '10.210.0.0/16', ipRange: '10.210.7.0/24', gateway: '10.210.7.1' });
  });
});
