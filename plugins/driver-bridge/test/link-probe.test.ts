import { expect } from 'chai';
import { CtrnetError, ExecError, RecordingExecutor } from '@ctrnet/core';
import { probeLink } from '../src/link-probe.js';

describe('probeLink', () => {
  it('reports the kind of an existing link', async () => {
    const exec = new RecordingExecutor(() => ({ stdout: '[{"ifname":"br0","linkinfo":{"info_kind":"bridge"}}]\n' }));
    expect(await probeLink(exec, 'br0')).to.deep.equal({ kind: 'bridge' });
    expect(exec.calls).to.deep.equal([{ kind: 'run', argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'br0'], netns: undefined, input: undefined }]);
  });

  it('reports no kind for a plain device', async () => {
    const exec = new RecordingExecutor(() => ({ stdout: '[{"ifname":"eth0"}]' }));
    expect(await probeLink(exec, 'eth0')).to.deep.equal({ kind: undefined });
  });

  it('returns undefined for a missing link', async () => {
    const exec = new RecordingExecutor((argv) => {
      throw new ExecError(argv, 1, 'Device "br0" does not exist.\n');
    });
    expect(await probeLink(exec, 'br0')).to.equal(undefined);
  });

  it('refuses output it cannot parse', async () => {
    const exec = new RecordingExecutor(() => ({ stdout: 'garbage' }));
    const err = await probeLink(exec, 'br0').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INTERNAL');
  });
});
