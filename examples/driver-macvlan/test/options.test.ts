import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { normaliseMacvlanOptions } from '../src/options.js';

const request = (options: Record<string, string>, internal = false) => ({ name: 'mv', options, internal });

function refusal(options: Record<string, string>, internal = false): CtrnetError {
  try {
    normaliseMacvlanOptions(request(options, internal));
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INVALID_ARGUMENT');
    return err as CtrnetError;
  }
  return expect.fail(`options ${JSON.stringify(options)} were accepted`);
}

describe('normaliseMacvlanOptions', () => {
  it('fills in bridge mode and keeps the parent', () => {
    expect(normaliseMacvlanOptions(request({ parent: 'eth0' }))).to.deep.equal({ parent: 'eth0', macvlan_mode: 'bridge' });
    expect(normaliseMacvlanOptions(request({ parent: 'eth0.10', macvlan_mode: 'bridge' }))).to.deep.equal({ parent: 'eth0.10', macvlan_mode: 'bridge' });
  });

  it('requires a parent, with the flag to add in the message', () => {
    expect(refusal({}).message).to.equal('macvlan network mv needs a parent interface; add -o parent=IFNAME (an interface of the host, see: ip link show)');
    expect(refusal({ parent: '' }).message).to.contain('needs a parent interface');
  });

  it('refuses a parent that is not an interface name, naming it', () => {
    for (const parent of ['eth0 up', 'a/b', 'averylonginterfacename', '..']) {
      expect(refusal({ parent }).message).to.contain(`invalid parent "${parent}"`);
    }
  });

  it('accepts bridge mode only', () => {
    for (const mode of ['vepa', 'private', 'passthru', 'Bridge']) {
      expect(refusal({ parent: 'eth0', macvlan_mode: mode }).message).to.match(new RegExp(`^macvlan_mode "${mode}" is not supported; only bridge is`));
    }
  });

  it('refuses unknown options and --internal', () => {
    expect(refusal({ parent: 'eth0', mtu: '1400' }).message).to.match(/^unknown macvlan driver option "mtu"; valid options are parent/);
    expect(refusal({ parent: 'eth0' }, true).message).to.contain('cannot be --internal');
  });
});
