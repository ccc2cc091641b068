import { expect } from 'chai';
import { CtrnetError, ExecError, ExecaExecutor, RecordingExecutor, type ExecResult, type RunOptions } from '../src/index.js';

describe('exec', () => {
  describe('ExecError.kind', () => {
    const kind = (stderr: string) => new ExecError(['ip', '-batch', '-'], 1, stderr).kind;
    const missing = [
      'Cannot find device "vc0123456789abc"',
      'RTNETLINK answers: No such file or directory',
      'RTNETLINK answers: No such process',
      'Error: argument "ctrnet-x" is wrong: Invalid "netns" value',
      'Cannot open network namespace "ctrnet-x": No such file or directory',
      'Device "ctr-0123" does not exist.',
      'Error: Cannot assign requested address',
      'RTNETLINK answers: No such device',
    ];
    for (const line of missing) {
      it(`missing: ${line}`, () => expect(kind(`${line}\nCommand failed -:1\n`)).to.equal('missing'));
    }

    it('ignores the "Command failed -:N" lines and blank lines of ip -force -batch', () => {
      const stderr = ['Cannot find device "a"', 'Command failed -:1', '', 'RTNETLINK answers: No such process', 'Command failed -:3', ''].join('\n');
      expect(kind(stderr)).to.equal('missing');
    });

    it('is other as soon as one line is another error, or when there is no message', () => {
      expect(kind('Cannot find device "a"\nCommand failed -:1\nRTNETLINK answers: Operation not permitted\nCommand failed -:2\n')).to.equal('other');
      expect(kind('Error: either "dev" is duplicate, or "foo" is a garbage.\n')).to.equal('other');
      expect(kind('')).to.equal('other');
    });

    it('exists: File exists, alone or with missing objects', () => {
      expect(kind('RTNETLINK answers: File exists\n')).to.equal('exists');
      expect(kind('Cannot find device "a"\nCommand failed -:1\nRTNETLINK answers: File exists\nCommand failed -:2\n')).to.equal('exists');
    });

    it("reads nft's errors past the echoed command and its underline", () => {
      const nft = (message: string) => `/dev/stdin:2:25-30: Error: ${message}\nadd element inet ctrnet ports { 80 }\n                        ^^^^^^\n`;
      expect(kind(nft('Could not process rule: No such file or directory'))).to.equal('missing');
      expect(kind(nft('Could not process rule: File exists'))).to.equal('exists');
      expect(kind(nft('Could not process rule: Operation not permitted'))).to.equal('other');
      expect(kind('Error: No such file or directory\nlist table inet ctrnet\n~~~~~~~~~~~~~~~~~~~~ ^^^^^^\n')).to.equal('missing');
    });

    it('no-program: a spawn ENOENT, or nsenter unable to execute the program', () => {
      expect(kind('Command failed with ENOENT: nft -f -\nspawn nft ENOENT')).to.equal('no-program');
      expect(kind('nsenter: failed to execute nft: No such file or directory\n')).to.equal('no-program');
    });

    it('takes the kind the executor gives over stderr', () => {
      expect(new ExecError(['ip'], 137, 'Cannot find device "a"', { kind: 'other' }).kind).to.equal('other');
    });
  });

  describe('ExecError', () => {
    it('carries argv, exit code, stderr and input; the message is the first stderr line', () => {
      const err = new ExecError(['ip', '-batch', '-'], 2, 'RTNETLINK answers: File exists\nCommand failed -:1\n', { input: 'link add x type dummy\n' });
      expect(err).to.be.instanceOf(CtrnetError);
      expect(err.code).to.equal('EXEC_FAILED');
      expect(err.exitStatus).to.equal(1);
      expect(err.argv).to.deep.equal(['ip', '-batch', '-']);
      expect(err.exitCode).to.equal(2);
      expect(err.input).to.equal('link add x type dummy\n');
      expect(err.message).to.equal('ip -batch - failed: RTNETLINK answers: File exists; rerun with --debug to see the full command and its input');
    });

    it('names the batch line that failed when the executor knows it', () => {
      const err = new ExecError(['ip', 'link', 'set', 'x', 'up'], 1, 'Cannot find device "x"\nCommand failed -:2\n', { line: 2 });
      expect(err.line).to.equal(2);
      expect(err.message).to.equal('ip link set x up failed (line 2 of the batch): Cannot find device "x"; rerun with --debug to see the full command and its input');
    });

    it('names the exit status when stderr is empty', () => {
      expect(new ExecError(['false'], 1, '').message).to.equal('false failed: exit status 1; rerun with --debug to see the full command and its input');
    });
  });

  describe('ExecaExecutor against real harmless commands', () => {
    const exec = new ExecaExecutor();

    it('true succeeds with exit code 0', async () => {
      expect(await exec.run(['true'])).to.deep.equal({ stdout: '', stderr: '', exitCode: 0 });
    });

    it('false rejects with an ExecError', async () => {
      const err = await exec.run(['false']).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ExecError);
      const e = err as ExecError;
      expect(e.code).to.equal('EXEC_FAILED');
      expect(e.argv).to.deep.equal(['false']);
      expect(e.exitCode).to.equal(1);
      expect(e.message).to.match(/^false failed: .+; rerun with --debug/);
      expect(e.message).not.to.include('\n');
    });

    it('feeds input to cat and keeps the final newline', async () => {
      const input = 'line one\nline two\n';
      const result = await exec.run(['cat'], { input });
      expect(result).to.deep.equal({ stdout: input, stderr: '', exitCode: 0 });
    });

    it('passes arguments without a shell', async () => {
      const result = await exec.run(['echo', '$HOME', '; rm -rf /', '`id`']);
      expect(result.stdout).to.equal('$HOME ; rm -rf / `id`\n');
    });

    it('keeps stderr and the exit status of a failing command', async () => {
      const err = (await exec.run(['sh', '-c', 'echo out; echo "first problem" >&2; echo second >&2; exit 3']).catch((e: unknown) => e)) as ExecError;
      expect(err).to.be.instanceOf(ExecError);
      expect(err.exitCode).to.equal(3);
      expect(err.stderr).to.equal('first problem\nsecond\n');
      expect(err.message).to.equal('sh -c echo out; echo "first problem" >&2; echo second >&2; exit 3 failed: first problem; rerun with --debug to see the full command and its input');
    });

    it('runs with LC_ALL=C so error messages are the ones we match', async () => {
      expect((await exec.run(['sh', '-c', 'echo $LC_ALL'])).stdout).to.equal('C\n');
    });

    it('reports a command that does not exist as an ExecError', async () => {
      const err = (await exec.run(['ctrnet-no-such-command-xyz']).catch((e: unknown) => e)) as ExecError;
      expect(err).to.be.instanceOf(ExecError);
      expect(err.message).to.match(/^ctrnet-no-such-command-xyz failed: .*ENOENT/);
    });

    it('prefixes nsenter --net=PATH for a target netns', async () => {
      // The namespace path does not exist, so nsenter fails before entering anything.
      const err = (await exec.run(['true'], { netns: '/nonexistent/ctrnet-test-ns' }).catch((e: unknown) => e)) as ExecError;
      expect(err).to.be.instanceOf(ExecError);
      expect(err.argv).to.deep.equal(['nsenter', '--net=/nonexistent/ctrnet-test-ns', '--', 'true']);
    });
  });

  describe('ExecaExecutor batch helpers (run faked)', () => {
    /** ExecaExecutor with `run` replaced: records argv and input and answers from `answer`. */
    class FakeRun extends ExecaExecutor {
      readonly runs: { argv: readonly string[]; options: RunOptions }[] = [];
      constructor(private readonly answer: (argv: readonly string[]) => ExecResult | ExecError = () => ({ stdout: '', stderr: '', exitCode: 0 })) {
        super();
      }
      override async run(argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
        this.runs.push({ argv, options });
        const result = this.answer(argv);
        if (result instanceof ExecError) throw result;
        return result;
      }
    }

    it('ip: one `ip -batch -` with one command per line', async () => {
      const exec = new FakeRun();
      await exec.ip([['link', 'add', 'vc1', 'type', 'veth', 'peer', 'name', 'vp1'], ['link', 'set', 'vc1', 'up']], { netns: '/run/netns/x' });
      expect(exec.runs).to.deep.equal([
        { argv: ['ip', '-batch', '-'], options: { netns: '/run/netns/x', input: 'link add vc1 type veth peer name vp1\nlink set vc1 up\n' } },
      ]);
    });

    it('ip: nothing to do runs nothing', async () => {
      const exec = new FakeRun();
      await exec.ip([]);
      expect(exec.runs).to.deep.equal([]);
    });

    it('ip ignoreMissing: -force, and "not found" failures count as success', async () => {
      const exec = new FakeRun((argv) => new ExecError(argv, 1, 'Cannot find device "vc1"\nCommand failed -:1\n'));
      await exec.ip([['link', 'del', 'vc1']], { ignoreMissing: true });
      expect(exec.runs[0]!.argv).to.deep.equal(['ip', '-force', '-batch', '-']);
    });

    it('ip ignoreMissing: other failures still throw', async () => {
      const exec = new FakeRun((argv) => new ExecError(argv, 1, 'Cannot find device "vc1"\nRTNETLINK answers: Operation not permitted\n'));
      const err = await exec.ip([['link', 'del', 'vc1']], { ignoreMissing: true }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ExecError);
    });

    it('ip without ignoreMissing: "not found" throws', async () => {
      const exec = new FakeRun((argv) => new ExecError(argv, 1, 'Cannot find device "vc1"\n'));
      const err = await exec.ip([['link', 'del', 'vc1']]).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ExecError);
    });

    it('iptablesRestore: -w --noflush, ip6tables-restore for family 6', async () => {
      const exec = new FakeRun();
      await exec.iptablesRestore('*nat\nCOMMIT\n');
      await exec.iptablesRestore('*filter\nCOMMIT\n', { family: 6, netns: '/run/netns/y' });
      expect(exec.runs).to.deep.equal([
        { argv: ['iptables-restore', '-w', '--noflush'], options: { netns: undefined, input: '*nat\nCOMMIT\n' } },
        { argv: ['ip6tables-restore', '-w', '--noflush'], options: { netns: '/run/netns/y', input: '*filter\nCOMMIT\n' } },
      ]);
    });

    it('nft: the script on stdin of `nft -f -`', async () => {
      const exec = new FakeRun();
      await exec.nft('add table inet ctrnet\n');
      expect(exec.runs).to.deep.equal([{ argv: ['nft', '-f', '-'], options: { netns: undefined, input: 'add table inet ctrnet\n' } }]);
    });
  });

  describe('RecordingExecutor', () => {
    it('records every kind of call and answers run from the responder', async () => {
      const exec = new RecordingExecutor((argv) => (argv[0] === 'nft' ? { stdout: 'nftables v1.0.9\n' } : {}));
      expect(await exec.run(['nft', '--version'])).to.deep.equal({ stdout: 'nftables v1.0.9\n', stderr: '', exitCode: 0 });
      await exec.ip([['link', 'set', 'lo', 'up']], { netns: '/run/netns/a' });
      await exec.ip([['link', 'del', 'x'], ['link', 'del', 'y']], { ignoreMissing: true });
      await exec.iptablesRestore('*nat\nCOMMIT\n');
      await exec.nft('flush ruleset\n', { netns: '/run/netns/b' });
      expect(exec.calls).to.deep.equal([
        { kind: 'run', argv: ['nft', '--version'], netns: undefined, input: undefined },
        { kind: 'ip', commands: [['link', 'set', 'lo', 'up']], netns: '/run/netns/a', ignoreMissing: false },
        { kind: 'ip', commands: [['link', 'del', 'x'], ['link', 'del', 'y']], netns: undefined, ignoreMissing: true },
        { kind: 'iptables-restore', payload: '*nat\nCOMMIT\n', family: 4, netns: undefined },
        { kind: 'nft', script: 'flush ruleset\n', netns: '/run/netns/b' },
      ]);
      expect(exec.ipLines()).to.deep.equal(['link set lo up', 'link del x', 'link del y']);
    });
  });
});
