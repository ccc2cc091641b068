import { expect } from 'chai';
import { isCtrnetError } from '@ctrnet/core';
import { checkBinding, checkLink, checkNetwork } from '../src/validate.js';
import { BINDING, LINK, NETWORK } from './fixtures.js';

function problem(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(isCtrnetError(err, 'INVALID_ARGUMENT')).to.equal(true);
    return (err as Error).message;
  }
  return expect.fail('expected INVALID_ARGUMENT');
}

describe('validate', () => {
  it('accepts the fixtures', () => {
    checkNetwork(NETWORK);
    checkBinding(BINDING);
    checkLink(LINK);
  });

  it('names the bad value and what would be valid', () => {
    expect(problem(() => checkNetwork({ ...NETWORK, networkId: 'xyz' }))).to.equal('network id "xyz" is not 12-64 lower-case hex characters; pass the full id');
    expect(problem(() => checkNetwork({ ...NETWORK, subnet: '10.250.2.0/33' }))).to.include('subnet "10.250.2.0/33" is not an IPv4 network in CIDR notation');
    expect(problem(() => checkBinding({ ...BINDING, hostPort: 0 }))).to.include('host port 0 is not a port number (1-65535)');
    expect(problem(() => checkBinding({ ...BINDING, protocol: 'icmp' as never }))).to.include('protocol "icmp" is not one of tcp, udp, sctp');
    expect(problem(() => checkBinding({ ...BINDING, containerIp: '10.0.0.1 -j ACCEPT' }))).to.include('container IP "10.0.0.1 -j ACCEPT" is not an IPv4 address');
    expect(problem(() => checkLink({ ...LINK, ports: [{ port: 70000, protocol: 'tcp' }] }))).to.include('port 70000 is not a port number');
  });
});
