import { expect } from 'chai';
import { ctrnetCli, tempStateDir, useTestNamespaces } from '../src/index.js';

describe('ctrnetCli (real namespace)', () => {
  const tn = useTestNamespaces();

  it('resolves with a non-zero exit code instead of rejecting', async () => {
    const host = await tn.createHost();
    const ctrnet = ctrnetCli(host, tempStateDir(tn));
    const result = await ctrnet(['ctt-no-such-command'], { timeoutMs: 20_000 });
    expect(result.exitCode).to.not.equal(0);
    expect(result.stderr).to.not.equal('');
  });
});
