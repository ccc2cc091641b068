import { expect } from 'chai';
import { ifaceKey, sysctlArgv } from '../src/index.js';

describe('exec/sysctl', () => {
  it('sets many keys in one sysctl, path-style so dotted interface names survive', () => {
    expect(sysctlArgv([[ifaceKey(6, 'br.1', 'disable_ipv6'), '0'], ['net/ipv4/ip_forward', '1']])).to.deep.equal([
      'sysctl',
      '-qw',
      'net/ipv6/conf/br.1/disable_ipv6=0',
      'net/ipv4/ip_forward=1',
    ]);
  });

  it('skips keys the kernel lacks only when asked to', () => {
    expect(sysctlArgv([['net/ipv6/conf/eth0/disable_ipv6', '1']], { ignoreMissing: true })[1]).to.equal('-eqw');
  });
});
