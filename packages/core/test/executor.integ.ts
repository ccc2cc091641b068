/**
 * The executor against the real `ip` and `nft`, inside a throwaway network
 * namespace (core cannot depend on the testkit, so the namespace is made here).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { ExecaExecutor, ExecError } from '../src/index.js';

describe('ExecaExecutor (integration)', function () {
  this.timeout(30_000);
  const name = `ctt-exec-${randomBytes(3).toString('hex')}`;
  const netns = `/run/netns/${name}`;
  const exec = new ExecaExecutor();

  before(() => execFileSync('ip', ['netns', 'add', name]));
  after(() => execFileSync('ip', ['netns', 'delete', name]));

  it('runs a whole ip batch in one process inside the namespace', async () => {
    await exec.ip(
      [
        ['link', 'set', 'lo', 'up'],
        ['link', 'add', 'ctt-a', 'type', 'veth', 'peer', 'name', 'ctt-b'],
        ['addr', 'add', '10.253.0.1/24', 'dev', 'ctt-a'],
        ['link', 'set', 'ctt-a', 'up'],
      ],
      { netns },
    );
    const { stdout } = await exec.run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'ctt-a'], { netns });
    expect(stdout).to.contain('10.253.0.1/24');
    // The host namespace never saw it.
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).to.not.contain('ctt-a');
  });

  it('fails a batch with an ExecError carrying argv, exit code, stderr and input', async () => {
    const err = await exec.ip([['link', 'set', 'nope0', 'up']], { netns }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ExecError);
    const e = err as ExecError;
    expect(e.argv).to.include('-batch');
    expect(e.exitCode).to.not.equal(0);
    expect(e.stderr).to.match(/nope0/);
    expect(e.input).to.equal('link set nope0 up\n');
  });

  it('treats missing objects as done in teardown mode, and only those', async () => {
    await exec.ip([['link', 'del', 'ctt-gone'], ['link', 'del', 'ctt-a']], { netns, ignoreMissing: true });
    const { stdout } = await exec.run(['ip', '-o', 'link'], { netns });
    expect(stdout).to.not.contain('ctt-a');
    const err = await exec.ip([['link', 'add', 'bad name!', 'type', 'bridge']], { netns, ignoreMissing: true }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ExecError);
  });

  it('applies an nft script as one transaction: all or nothing', async () => {
    await exec.nft('add table inet ctt\nadd chain inet ctt c\nadd rule inet ctt c accept\n', { netns });
    const bad = 'add chain inet ctt d\nadd rule inet ctt nosuchchain accept\n';
    await exec.nft(bad, { netns }).then(
      () => expect.fail('a broken script must fail'),
      (e: unknown) => expect(e).to.be.instanceOf(ExecError),
    );
    const { stdout } = await exec.run(['nft', 'list', 'table', 'inet', 'ctt'], { netns });
    expect(stdout).to.contain('chain c');
    expect(stdout).to.not.contain('chain d');
  });

  it('applies an iptables-restore --noflush payload without touching other rules', async () => {
    await exec.iptablesRestore('*filter\n:CTT-A - [0:0]\n-A CTT-A -j RETURN\nCOMMIT\n', { netns });
    await exec.iptablesRestore('*filter\n:CTT-B - [0:0]\nCOMMIT\n', { netns });
    const { stdout } = await exec.run(['iptables-save', '-t', 'filter'], { netns });
    expect(stdout).to.contain('-A CTT-A -j RETURN');
    expect(stdout).to.contain(':CTT-B');
  });
});
