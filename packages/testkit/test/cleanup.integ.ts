import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { TestNamespaces, startHttpServer, tempStateDir } from '../src/index.js';

function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('cleanup removes everything even when the test body throws', () => {
  it('manual cleanup after a throwing body', async () => {
    const tn = new TestNamespaces();
    const made: { names: string[]; pids: number[]; dir?: string } = { names: [], pids: [] };
    const body = async (): Promise<void> => {
      const host = await tn.createHost();
      const peer = await tn.create('peer');
      made.names.push(host.name, peer.name);
      await host.exec(['ip', 'link', 'add', 'ctt0', 'type', 'veth', 'peer', 'name', 'ctt1']);
      await host.exec(['ip', 'link', 'set', 'ctt1', 'netns', peer.path]);
      made.pids.push(tn.spawn(peer, ['sleep', '60']).pid);
      made.pids.push((await startHttpServer(tn, host, { port: 8080, host: '127.0.0.1' })).pid);
      made.dir = tempStateDir(tn);
      throw new Error('body failed on purpose');
    };
    let caught: unknown;
    try {
      await body();
    } catch (err) {
      caught = err;
    } finally {
      await tn.cleanup();
    }
    expect(String(caught)).to.include('body failed on purpose');
    expect(made.names).to.have.length(2);
    const left = netnsList();
    for (const name of made.names) expect(left).to.not.include(name);
    for (const pid of made.pids) expect(alive(pid), `pid ${pid}`).to.equal(false);
    expect(existsSync(made.dir!)).to.equal(false);
    await tn.cleanup();
  });

  it('useTestNamespaces cleans up after a failing mocha test', async function () {
    this.timeout(30_000);
    const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
    const fixture = fileURLToPath(new URL('./fixtures/throwing-body.fixture.js', import.meta.url));
    const run = await execa(process.execPath, [mocha, '--exit', fixture], { reject: false });
    expect(run.exitCode, run.stdout).to.equal(1);
    expect(run.stdout).to.include('body failed on purpose');
    const line = run.stdout.split('\n').find((l) => l.startsWith('CTT-FIXTURE '));
    expect(line, run.stdout).to.be.a('string');
    const { name, pid } = JSON.parse(line!.slice('CTT-FIXTURE '.length)) as { name: string; pid: number };
    expect(netnsList()).to.not.include(name);
    expect(alive(pid)).to.equal(false);
  });
});
