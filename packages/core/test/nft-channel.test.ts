import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecError } from '../src/index.js';
import { NftChannel } from '../src/exec/nft-channel.js';

const FAKE_NFT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-nft.js');

describe('NftChannel (fake nft)', () => {
  let dir: string;
  let log: string;
  let channel: NftChannel;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctrnet-nft-channel-'));
    log = join(dir, 'applied');
    channel = new NftChannel({ prefix: [], program: [process.execPath, FAKE_NFT, log] });
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

  it('applies a multi-line script through one include, in one process', async () => {
    await channel.apply('add a\nadd b\n');
    const pid = channel.pid;
    await channel.apply('add c\n');
    expect(channel.pid).to.equal(pid);
    expect(applied()).to.deep.equal(['add a', 'add b', 'add c']);
  });

  it("reports a refused script as nft -f - would, nothing applied", async () => {
    const err = await rejection(channel.apply('add a\nfail b\nadd c\n'));
    expect(applied()).to.deep.equal([]);
    expect(err.argv).to.deep.equal([process.execPath, FAKE_NFT, log, '-f', '-']);
    expect(err.stderr).to.equal('/dev/stdin:2:1-4: Error: Could not process rule: No such file or directory\nfail b\n^^^^\n');
    expect(err.kind).to.equal('missing');
    expect(err.input).to.equal('add a\nfail b\nadd c\n');
    expect(err.message).to.not.include('script.nft');
  });

  it('rejects the script nft died on, says the commit is uncertain, and works again on the next call', async () => {
    const err = await rejection(channel.apply('add a\ndie\n'));
    expect(err.exitCode).to.equal(1);
    expect(err.kind).to.equal('other');
    expect(err.stderr).to.match(/ended with status 1 before answering; the transaction may or may not have been committed/);
    await channel.apply('add b\n');
    expect(applied()).to.deep.equal(['add b']);
  });

  it('serialises 50 concurrent scripts, each applied whole', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => channel.apply(`add ${i}-1\nadd ${i}-2\n`)));
    expect(applied()).to.deep.equal(Array.from({ length: 50 }, (_, i) => [`add ${i}-1`, `add ${i}-2`]).flat());
  });
});
