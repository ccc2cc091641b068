import { expect } from 'chai';
import { ctrnetArgv, ctrnetBinPath } from '../src/index.js';

describe('ctrnet CLI runner', () => {
  it('finds the bin of the @ctrnet/cli package', () => {
    expect(ctrnetBinPath()).to.match(/packages\/cli\/bin\/ctrnet\.js$/);
  });

  it('builds nsenter + node + bin + --state-dir before the caller args', () => {
    expect(ctrnetArgv('/run/netns/h', '/b/ctrnet.js', '/tmp/s', ['network', 'ls'])).to.deep.equal([
      'nsenter',
      '--net=/run/netns/h',
      '--',
      process.execPath,
      '/b/ctrnet.js',
      '--state-dir',
      '/tmp/s',
      'network',
      'ls',
    ]);
  });

  it('adds --config when one is given', () => {
    expect(ctrnetArgv('/run/netns/h', '/b/ctrnet.js', '/tmp/s', ['up'], '/tmp/c.json').slice(3)).to.deep.equal([
      process.execPath,
      '/b/ctrnet.js',
      '--state-dir',
      '/tmp/s',
      '--config',
      '/tmp/c.json',
      'up',
    ]);
  });
});
