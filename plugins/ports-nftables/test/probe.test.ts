import createDebug from 'debug';
import { expect } from 'chai';
import { ExecError, RecordingExecutor } from '@ctrnet/core';
import { parseVersion, probeNftables } from '../src/probe.js';
import { probeScript, render } from '../src/ruleset.js';

const log = createDebug('ctrnet:test');

describe('probe', () => {
  it('is usable when nft answers and the kernel accepts the ruleset in check mode', async () => {
    const exec = new RecordingExecutor((argv) => (argv[1] === '--version' ? { stdout: 'nftables v1.0.6 (Lester Gooch #5)\n' } : {}));
    expect(await probeNftables({ exec, log })).to.deep.equal({
      usable: true,
      reason: 'nft 1.0.6 answers and the kernel accepts ctrnet\'s ruleset (checked with nft -c)',
    });
    expect(exec.calls).to.deep.equal([
      { kind: 'run', argv: ['nft', '--version'], netns: undefined, input: undefined },
      { kind: 'run', argv: ['nft', '-c', '-f', '-'], netns: undefined, input: render(probeScript()) },
    ]);
  });

  it('says when nft is not installed', async () => {
    const exec = new RecordingExecutor((argv) => {
      throw new ExecError(argv, 1, 'Command failed with ENOENT: nft --version\nspawn nft ENOENT');
    });
    expect(await probeNftables({ exec, log })).to.deep.equal({ usable: false, reason: 'nft not found on PATH' });
  });

  it('says why the kernel refused the ruleset', async () => {
    const exec = new RecordingExecutor((argv) => {
      if (argv[1] === '--version') return { stdout: 'nftables v0.9.3 (Topsy)\n' };
      throw new ExecError(argv, 1, 'netlink: Error: Could not process rule: No such file or directory\nadd rule ...');
    });
    expect(await probeNftables({ exec, log })).to.deep.equal({
      usable: false,
      reason: "nft 0.9.3 is installed but cannot build ctrnet's table: netlink: Error: Could not process rule: No such file or directory",
    });
  });

  it('says when it lacks the privileges', async () => {
    const exec = new RecordingExecutor((argv) => {
      if (argv[1] === '--version') return { stdout: 'nftables v1.0.6 (Lester Gooch #5)\n' };
      throw new ExecError(argv, 1, 'Error: Could not process rule: Operation not permitted');
    });
    expect((await probeNftables({ exec, log })).reason).to.equal("nft 1.0.6 is installed but cannot build ctrnet's table: Error: Could not process rule: Operation not permitted");
  });

  it('reads the version from nft --version', () => {
    expect(parseVersion('nftables v1.1.1 (Commodore Bullmoose #2)')).to.equal('1.1.1');
    expect(parseVersion('something else')).to.equal('something else');
  });
});
