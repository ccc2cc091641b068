/**
 * The namespace maker against the real kernel: the pool of spares ctrnetd
 * keeps (through the coprocess executor's set-up sessions), and the
 * on-demand path of an executor without them.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { CoprocessExecutor, ExecaExecutor, type Executor } from '../src/index.js';
import type { RuntimeContext } from '../src/runtime/context.js';
import { NetnsMaker } from '../src/runtime/netns-maker.js';
import { netnsName, netnsPath } from '../src/runtime/paths.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe('NetnsMaker (integration)', function () {
  this.timeout(60_000);
  const host = `ctt-nsm-${randomBytes(3).toString('hex')}`;
  const made = new Set<string>();
  let exec: CoprocessExecutor;

  const maker = (executor: Executor, netnsPool: number) => new NetnsMaker({ config: { netnsPool }, exec: executor } as unknown as RuntimeContext);
  /** The namespaces of the spares: one holder (a child `sh -c ip ...`) inside each. */
  const spares = () =>
    readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sh\0-c\0ip -force');
        } catch {
          return false;
        }
      })
      .map((pid) => statSync(`/proc/${pid}/ns/net`).ino);
  const loUp = (name: string) => execFileSync('nsenter', [`--net=${netnsPath(name)}`, '--', 'ip', '-o', 'link', 'show', 'lo'], { encoding: 'utf8' }).includes('UP');
  const newName = () => {
    const name = netnsName(randomBytes(32).toString('hex'));
    made.add(name);
    return name;
  };

  before(async () => {
    execFileSync('ip', ['netns', 'add', host]);
    exec = new CoprocessExecutor({ hostNetns: `/run/netns/${host}` });
  });
  afterEach(() => {
    for (const name of made) execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    made.clear();
  });
  after(async () => {
    await exec.close();
    execFileSync('ip', ['netns', 'delete', host]);
  });

  it('keeps the pool full of spares, pins one under the container name, refills after the set-up, and ends the rest on close', async () => {
    const namespaces = maker(exec, 2);
    namespaces.start();
    await until('two spares', () => spares().length === 2);
    const before = spares();
    const name = newName();
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
    expect(before).to.include(statSync(netnsPath(name)).ino);
    await exec.ip([['addr', 'add', '10.254.9.2/24', 'dev', 'lo']], { netns: netnsPath(name) });
    namespaces.endSetup(netnsPath(name));
    await until('refilled, and the taken one left alone', () => spares().length === 2 && !spares().includes(statSync(netnsPath(name)).ino));
    await namespaces.close();
    await until('the spares ended', () => spares().length === 0);
    expect(loUp(name), 'the pinned one stays').to.equal(true);
  });

  it('makes a namespace now when the pool is empty', async () => {
    const namespaces = maker(exec, 0);
    namespaces.start();
    const name = newName();
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
    namespaces.endSetup(netnsPath(name));
    await namespaces.close();
  });

  it('has no pool with an executor that keeps no sessions (the in-process CLI): unshare makes each namespace', async () => {
    const namespaces = maker(new ExecaExecutor(), 4);
    namespaces.start();
    await sleep(50);
    expect(spares()).to.deep.equal([]);
    const name = newName();
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
  });

  it('takes the next spare, or makes one, when a spare died in the pool (its holder killed)', async () => {
    const namespaces = maker(exec, 1);
    namespaces.start();
    await until('one spare', () => spares().length === 1);
    const holder = readdirSync('/proc').find((pid) => {
      try {
        return statSync(`/proc/${pid}/ns/net`).ino === spares()[0] && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sh\0');
      } catch {
        return false;
      }
    });
    process.kill(Number(holder), 'SIGKILL');
    const name = newName();
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
    namespaces.endSetup(netnsPath(name));
    await namespaces.close();
  });
});
