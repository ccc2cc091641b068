import { expect } from 'chai';
import { routeLocalnetArgv } from '../src/sysctl.js';

describe('sysctl', () => {
  it('turns route_localnet on for a bridge', () => {
    expect(routeLocalnetArgv('ctr-0123456789a')).to.deep.equal(['sysctl', '-qw', 'net.ipv4.conf.ctr-0123456789a.route_localnet=1']);
  });

  it('uses the slash form when the bridge name has a dot', () => {
    expect(routeLocalnetArgv('br.100')).to.deep.equal(['sysctl', '-qw', 'net/ipv4/conf/br.100/route_localnet=1']);
  });
});
