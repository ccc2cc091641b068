import { expect } from 'chai';
import { batchError, batchText, lineFailures, namesNamespace } from '../src/exec/ip-batch.js';

describe('ip batches', () => {
  describe('namesNamespace: what must never reach the resident ip', () => {
    it('a netns or link-netns argument anywhere after the object', () => {
      expect(namesNamespace(['link', 'add', 'vh', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', '/run/netns/c'])).to.equal(true);
      expect(namesNamespace(['link', 'set', 'eth0', 'netns', '1234'])).to.equal(true);
      expect(namesNamespace(['link', 'add', 'vh', 'link-netns', 'c', 'type', 'veth', 'peer', 'name', 'x'])).to.equal(true);
    });

    it('netns verbs other than add, attach and delete', () => {
      expect(namesNamespace(['netns', 'set', 'c', '5'])).to.equal(true);
      expect(namesNamespace(['netns', 'exec', 'c', 'true'])).to.equal(true);
    });

    it('not: netns add, attach and delete (they keep no namespace open), or plain host commands', () => {
      expect(namesNamespace(['netns', 'add', 'c'])).to.equal(false);
      expect(namesNamespace(['netns', 'attach', 'c', '1234'])).to.equal(false);
      expect(namesNamespace(['netns', 'delete', 'c'])).to.equal(false);
      expect(namesNamespace(['netns', 'del', 'c'])).to.equal(false);
      expect(namesNamespace(['link', 'set', 'vh', 'master', 'br0'])).to.equal(false);
      expect(namesNamespace(['addr', 'replace', '10.0.0.1/24', 'dev', 'br0'])).to.equal(false);
    });
  });

  it('batchText: one line per command, refusing newlines and backslashes', () => {
    expect(batchText([['link', 'set', 'lo', 'up'], ['link', 'del', 'x']])).to.equal('link set lo up\nlink del x\n');
    expect(() => batchText([['link', 'set', 'lo\nlink', 'up']])).to.throw(/newline or a backslash/);
  });

  it('lineFailures: the stderr of each failed line, and what follows the last one', () => {
    const stderr = 'Cannot find device "a"\nCommand failed -:1\nRTNETLINK answers: File exists\nCommand failed -:3\n';
    expect(lineFailures(stderr)).to.deep.equal({
      failures: [
        { line: 1, stderr: 'Cannot find device "a"\nCommand failed -:1\n' },
        { line: 3, stderr: 'RTNETLINK answers: File exists\nCommand failed -:3\n' },
      ],
      rest: '',
    });
    expect(lineFailures('Error: argument "x" is wrong\n')).to.deep.equal({ failures: [], rest: 'Error: argument "x" is wrong\n' });
  });

  describe('batchError', () => {
    const commands = [['link', 'del', 'a'], ['link', 'add', 'b', 'type', 'bridge'], ['link', 'del', 'c']];
    const failures = [
      { line: 1, stderr: 'Cannot find device "a"\nCommand failed -:1\n' },
      { line: 2, stderr: 'RTNETLINK answers: File exists\nCommand failed -:2\n' },
    ];

    it('names the first failed line, argv prefixed with the namespace it ran in', () => {
      const err = batchError(['nsenter', '--net=/run/netns/h', '--'], commands, failures, { ignoreMissing: false, input: 'x' })!;
      expect(err.argv).to.deep.equal(['nsenter', '--net=/run/netns/h', '--', 'ip', 'link', 'del', 'a']);
      expect(err).to.include({ line: 1, kind: 'missing', exitCode: 1, input: 'x' });
    });

    it('in teardown mode skips "no such object" failures, and has nothing to say when all are', () => {
      expect(batchError([], commands, failures, { ignoreMissing: true, input: '' })).to.include({ line: 2, kind: 'exists' });
      expect(batchError([], commands, failures.slice(0, 1), { ignoreMissing: true, input: '' })).to.equal(undefined);
    });
  });
});
