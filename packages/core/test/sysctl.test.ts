import { expect } from 'chai';
import { ifaceKey, sysctlArgv } from '../src/index.js';
import { parseSysctlArgv } from '../src/exec/sysctl.js';

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

  it('reads back the settings of an argv it built, and nothing else (a session writes them without sysctl)', () => {
    const settings: [string, string][] = [[ifaceKey(6, 'br.1', 'disable_ipv6'), '0'], ['net/ipv4/ping_group_range', '0 2147483647']];
    expect(parseSysctlArgv(sysctlArgv(settings))).to.deep.equal({ settings, ignoreMissing: false });
    expect(parseSysctlArgv(sysctlArgv(settings, { ignoreMissing: true }))?.ignoreMissing).to.equal(true);
    expect(parseSysctlArgv(['sysctl', '-a'])).to.equal(undefined);
    expect(parseSysctlArgv(['sysctl', '-qw', 'novalue'])).to.equal(undefined);
    expect(parseSysctlArgv(['ip', '-qw', 'a=1'])).to.equal(undefined);
  });
});
