import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { bridgeNameFor, normaliseBridgeOptions } from '../src/options.js';

const DEFAULTS = { icc: 'true', masquerade: 'true', host_binding_ipv4: '0.0.0.0' };

function invalid(raw: Record<string, string>): CtrnetError {
  try {
    normaliseBridgeOptions(raw);
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    expect((err as CtrnetError).code).to.equal('INVALID_ARGUMENT');
    return err as CtrnetError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('normaliseBridgeOptions', () => {
  it('fills in the defaults', () => {
    expect(normaliseBridgeOptions({})).to.deep.equal(DEFAULTS);
  });

  it('accepts short keys', () => {
    expect(
      normaliseBridgeOptions({ bridge_name: 'br-test', mtu: '1400', icc: 'false', masquerade: 'false', host_binding_ipv4: '127.0.0.1' }),
    ).to.deep.equal({ bridge_name: 'br-test', mtu: '1400', icc: 'false', masquerade: 'false', host_binding_ipv4: '127.0.0.1' });
  });

  it("normalises Docker's long keys to short ones", () => {
    expect(
      normaliseBridgeOptions({
        'com.docker.network.bridge.name': 'br-test',
        'com.docker.network.driver.mtu': '9000',
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '10.0.0.1',
      }),
    ).to.deep.equal({ bridge_name: 'br-test', mtu: '9000', icc: 'false', masquerade: 'true', host_binding_ipv4: '10.0.0.1' });
  });

  it("accepts Go's boolean spellings and stores true/false", () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'True', 'true']) expect(normaliseBridgeOptions({ icc: v }).icc).to.equal('true');
    for (const v of ['0', 'f', 'F', 'FALSE', 'False', 'false']) expect(normaliseBridgeOptions({ masquerade: v }).masquerade).to.equal('false');
  });

  it('accepts MTUs from 68 to 65535 and stores them without leading zeros', () => {
    expect(normaliseBridgeOptions({ mtu: '68' }).mtu).to.equal('68');
    expect(normaliseBridgeOptions({ mtu: '65535' }).mtu).to.equal('65535');
    expect(normaliseBridgeOptions({ mtu: '01500' }).mtu).to.equal('1500');
  });

  it('refuses an unknown option and lists the valid ones', () => {
    const err = invalid({ 'com.docker.network.bridge.enable_icc': 'true', colour: 'blue' });
    expect(err.message).to.contain('"colour"');
    for (const k of ['bridge_name', 'mtu', 'icc', 'masquerade', 'host_binding_ipv4', 'com.docker.network.driver.mtu']) {
      expect(err.message).to.contain(k);
    }
  });

  for (const [key, value] of [
    ['mtu', '67'],
    ['mtu', '65536'],
    ['mtu', '1500.0'],
    ['mtu', ''],
    ['com.docker.network.driver.mtu', 'big'],
    ['icc', 'yes'],
    ['masquerade', ''],
    ['bridge_name', 'this-name-is-too-long'],
    ['bridge_name', 'br 0'],
    ['bridge_name', 'br/0'],
    ['com.docker.network.bridge.name', '..'],
    ['host_binding_ipv4', '::1'],
    ['host_binding_ipv4', '256.0.0.1'],
  ] as const) {
    it(`refuses ${key}=${JSON.stringify(value)}, naming the key and the value`, () => {
      const err = invalid({ [key]: value });
      expect(err.message).to.contain(key).and.to.contain(`"${value}"`);
    });
  }

  it('refuses an option given under both its keys', () => {
    const err = invalid({ mtu: '1400', 'com.docker.network.driver.mtu': '1400' });
    expect(err.message).to.contain('mtu').and.to.contain('twice');
  });
});

describe('bridgeNameFor', () => {
  it('uses bridge_name when given', () => {
    expect(bridgeNameFor({ bridge_name: 'ctrnet0' }, 'ab'.repeat(32))).to.equal('ctrnet0');
  });

  it('derives ctr- + 11 hex chars of the network id otherwise', () => {
    expect(bridgeNameFor({}, '0123456789abcdef'.repeat(4))).to.equal('ctr-0123456789a');
  });
});
