import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecError } from '../src/index.js';
import { IpChannel } from '../src/exec/ip-channel.js';

const FAKE_IP = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-ip.js');

describe('IpChannel (fake ip)', () => {
  let dir: string;
  let log: string;
  let channel: IpChannel;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctrnet-ip-channel-'));
    log = join(dir, 'applied');
    channel = new IpChannel({ prefix: [], program: [process.execPath, FAKE_IP, log] });
  });
  afterEach(async () => {
    await channel.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const applied = () => {
    try {
      return readFileSync(log, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  const rejection = async (promise: Promise<unknown>) => {
    const err = await promise.then(() => expect.fail('expected a rejection'), (e: unknown) => e);
    expect(err).to.be.instanceOf(ExecError);
    return err as ExecError;
  };

  it('runs a batch in one process and keeps it for the next', async () => {
    await channel.run([['ok', 'a'], ['ok', 'b']], false);
    const pid = channel.pid;
    await channel.run([['ok', 'c']], false);
    expect(channel.pid).to.equal(pid);
    expect(applied()).to.deep.equal(['a', 'b', 'c']);
  });

  it('stops at the first failing line and names it, with its stderr numbered as in the batch', async () => {
    await channel.run([['ok', 'warm']], false);
    const err = await rejection(channel.run([['ok', 'a'], ['missing', 'x0'], ['ok', 'b']], false));
    expect(applied()).to.deep.equal(['warm', 'a']);
    expect(err.line).to.equal(2);
    expect(err.argv).to.deep.equal(['ip', 'missing', 'x0']);
    expect(err.exitCode).to.equal(1);
    expect(err.stderr).to.equal('Cannot find device "x0"\nCommand failed -:2\n');
    expect(err.kind).to.equal('missing');
    expect(err.input).to.equal('ok a\nmissing x0\nok b\n');
    expect(err.message).to.match(/^ip missing x0 failed \(line 2 of the batch\): Cannot find device "x0";/);
  });

  it('in teardown mode runs every line and counts "no such object" as done', async () => {
    await channel.run([['missing', 'x0'], ['ok', 'a'], ['missing', 'x1'], ['ok', 'b']], true);
    expect(applied()).to.deep.equal(['a', 'b']);
  });

  it('in teardown mode still rejects any other failure, naming its line', async () => {
    const err = await rejection(channel.run([['missing', 'x0'], ['exists'], ['ok', 'a']], true));
    expect(applied()).to.deep.equal(['a']);
    expect(err.line).to.equal(2);
    expect(err.kind).to.equal('exists');
    expect(err.stderr).to.equal('RTNETLINK answers: File exists\nCommand failed -:2\n');
  });

  it('rejects the line ip died on with its stderr and exit status, and restarts for the next call', async () => {
    const err = await rejection(channel.run([['ok', 'a'], ['die', '255'], ['ok', 'b']], false));
    expect(err.line).to.equal(2);
    expect(err.exitCode).to.equal(255);
    expect(err.stderr).to.match(/^Error: argument "255" is wrong/);
    await channel.run([['ok', 'c']], false);
    expect(applied()).to.deep.equal(['a', 'c']);
  });

  it('rejects the request in flight when the coprocess is killed, saying what may be applied', async () => {
    await channel.run([['ok', 'a']], false);
    const pending = channel.run([['ok', 'b'], ['hang'], ['ok', 'c']], false);
    const pid = channel.pid!;
    setTimeout(() => process.kill(pid, 'SIGKILL'), 50);
    const err = await rejection(pending);
    expect(err.line).to.equal(2);
    expect(err.exitCode).to.equal(128 + 9);
    expect(err.kind).to.equal('other');
    expect(err.stderr).to.match(/ended with status 137 during this line; lines 1-1 were applied, this one may have been/);
    await channel.run([['ok', 'd']], false);
    expect(channel.pid).to.not.equal(pid);
    expect(applied()).to.deep.equal(['a', 'b', 'd']);
  });

  it('serialises concurrent batches: 50 callers, none interleaved, all answered', async () => {
    const batches = Array.from({ length: 50 }, (_, i) => [['ok', `${i}-1`], ['ok', `${i}-2`], ...(i % 10 === 3 ? [['missing', `x${i}`]] : [])]);
    const results = await Promise.allSettled(batches.map((b) => channel.run(b, false)));
    results.forEach((r, i) => expect(r.status, `batch ${i}`).to.equal(i % 10 === 3 ? 'rejected' : 'fulfilled'));
    expect(applied()).to.deep.equal(batches.flatMap((_, i) => [`${i}-1`, `${i}-2`]));
  });

  it('refuses lines that would break the protocol (newline, line continuation)', async () => {
    for (const token of ['a\nok', 'a\\']) {
      const err = await channel.run([['ok', token]], false).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'INTERNAL');
      expect((err as Error).message).to.match(/newline or a backslash/);
    }
    expect(applied()).to.deep.equal([]);
  });

  it('reports a program that cannot start as no-program', async () => {
    const broken = new IpChannel({ prefix: [], program: ['/nonexistent/ctrnet-ip'] });
    const err = await rejection(broken.run([['ok', 'a']], false));
    expect(err.kind).to.equal('no-program');
    await broken.close();
  });

  it('after close, refuses new requests', async () => {
    await channel.run([['ok', 'a']], false);
    await channel.close();
    const err = await channel.run([['ok', 'b']], false).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'INVALID_STATE');
  });
});
