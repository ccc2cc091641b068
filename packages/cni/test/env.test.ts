import { expect } from 'chai';
import { parseArgs, parseEnv } from '../src/env.js';
import { CniError } from '../src/spec.js';

const code = (env: NodeJS.ProcessEnv): [number, string] => {
  try {
    parseEnv(env);
  } catch (err) {
    if (err instanceof CniError) return [err.code, err.message];
    throw err;
  }
  return [0, ''];
};

describe('parseEnv', () => {
  const add = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };

  it('reads what ADD needs', () => {
    expect(parseEnv({ ...add, CNI_ARGS: 'IgnoreUnknown=1;IP=10.0.0.5' })).to.deep.equal({ command: 'ADD', containerId: 'c1', netns: '/run/netns/x', ifname: 'eth0', args: [['IgnoreUnknown', '1'], ['IP', '10.0.0.5']] });
  });

  it('lets DEL go without a namespace (after a reboot)', () => {
    expect(parseEnv({ ...add, CNI_COMMAND: 'DEL', CNI_NETNS: '' }).netns).to.equal('');
  });

  it('names every missing variable with code 4', () => {
    expect(code({ CNI_COMMAND: 'ADD' })).to.deep.equal([4, 'required env variables [CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME] missing']);
    expect(code({ ...add, CNI_COMMAND: 'CHECK', CNI_NETNS: undefined })[0]).to.equal(4);
    expect(code({})[0]).to.equal(4);
    expect(code({ ...add, CNI_COMMAND: 'FROB' })[0]).to.equal(4);
  });

  it('refuses malformed values with code 4', () => {
    expect(code({ ...add, CNI_CONTAINERID: '-bad id' })[0]).to.equal(4);
    expect(code({ ...add, CNI_IFNAME: 'much-too-long-name' })[0]).to.equal(4);
    expect(code({ ...add, CNI_NETNS: 'relative/path' })[0]).to.equal(4);
    expect(code({ ...add, CNI_ARGS: 'novalue' })[0]).to.equal(4);
  });

  it('needs nothing for GC, STATUS and VERSION', () => {
    for (const command of ['GC', 'STATUS', 'VERSION']) expect(parseEnv({ CNI_COMMAND: command }).command).to.equal(command);
  });

  it('splits CNI_ARGS on ; and the first =', () => {
    expect(parseArgs('A=1;B=x=y')).to.deep.equal([['A', '1'], ['B', 'x=y']]);
    expect(parseArgs('')).to.deep.equal([]);
  });
});
