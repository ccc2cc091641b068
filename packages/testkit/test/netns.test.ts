import { expect } from 'chai';
import { isCtrnetError } from '@ctrnet/core';
import { inNetns, netnsName, netnsPath } from '../src/index.js';
import { inNetnsOrHere } from '../src/netns.js';

describe('netns helpers', () => {
  it('inNetns prefixes argv with nsenter --net and a -- separator', () => {
    expect(inNetns('/run/netns/ctt-a-000000', ['ip', '-j', 'addr'])).to.deep.equal([
      'nsenter',
      '--net=/run/netns/ctt-a-000000',
      '--',
      'ip',
      '-j',
      'addr',
    ]);
  });

  it('inNetnsOrHere leaves argv alone for the current namespace', () => {
    expect(inNetnsOrHere(undefined, ['true'])).to.deep.equal(['true']);
    expect(inNetnsOrHere('/proc/1/ns/net', ['true'])).to.deep.equal(['nsenter', '--net=/proc/1/ns/net', '--', 'true']);
  });

  it('netnsPath accepts handles and paths but refuses bare names', () => {
    const handle = { name: 'x', path: '/run/netns/x', exec: () => Promise.reject(new Error('unused')) };
    expect(netnsPath(handle)).to.equal('/run/netns/x');
    expect(netnsPath('/run/netns/y')).to.equal('/run/netns/y');
    expect(() => netnsPath('y')).to.throw(/pass a NetnsHandle or a path such as \/run\/netns\/y/);
  });

  it('netnsName is ctt-<label>-<6 hex> and random per call', () => {
    expect(netnsName('host', 'abc123')).to.equal('ctt-host-abc123');
    const a = netnsName('peer');
    expect(a).to.match(/^ctt-peer-[0-9a-f]{6}$/);
    const names = new Set(Array.from({ length: 50 }, () => netnsName('peer')));
    expect(names.size).to.be.greaterThan(45);
  });

  it('netnsName refuses labels that are long or not name-safe', () => {
    for (const bad of ['', 'Host', 'a b', 'a/b', '-x', 'x'.repeat(17)]) {
      let caught: unknown;
      try {
        netnsName(bad);
      } catch (err) {
        caught = err;
      }
      expect(isCtrnetError(caught, 'INVALID_ARGUMENT'), `label ${JSON.stringify(bad)}`).to.equal(true);
    }
  });
});
