import { expect } from 'chai';
import { CtrnetError, parseAddHost } from '../src/index.js';

/** docker/cli opts/hosts.go ValidateExtraHost: `=` splits first, else the first `:`. */
describe('parseAddHost', () => {
  const valid: [string, [string, string]][] = [
    ['db:10.0.0.5', ['db', '10.0.0.5']],
    ['db=10.0.0.5', ['db', '10.0.0.5']],
    ['v6=::1', ['v6', '::1']],
    ['v6:2001:db8::1', ['v6', '2001:db8::1']],
    ['v6=[2001:db8::1]', ['v6', '2001:db8::1']],
    ['v4=[10.0.0.5]', ['v4', '10.0.0.5']],
    ['gw:host-gateway', ['gw', 'host-gateway']],
    ['gw=host-gateway', ['gw', 'host-gateway']],
    ['my.host.example=10.0.0.1', ['my.host.example', '10.0.0.1']],
  ];
  for (const [value, expected] of valid) it(`accepts ${value}`, () => expect(parseAddHost(value)).to.deep.equal(expected));

  for (const value of ['nocolon', ':1.2.3.4', '=1.2.3.4', 'h:notip', 'h=notip', 'h_x:1.2.3.4', 'a:b=1.2.3.4', 'h=host-gatewayx', 'h=[]', 'h:1.2.3.4.5', 'h;id:1.2.3.4']) {
    it(`refuses ${JSON.stringify(value)} naming it`, () => {
      expect(() => parseAddHost(value))
        .to.throw(CtrnetError)
        .with.property('message')
        .that.includes(JSON.stringify(value));
    });
  }
});
