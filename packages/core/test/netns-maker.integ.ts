/**
 * The namespace maker against the real kernel: the pool ctrnetd keeps (through
 * the coprocess executor's set-up sessions), and the on-demand path of an
 * executor without them. The journal is a real store in a temp dir.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoprocessExecutor, ExecaExecutor, Store, type Executor } from '../src/index.js';
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
  let dir: string;
  let store: Store;

  const maker = (exec: Executor, netnsPool: number) => new NetnsMaker({ config: { netnsPool, stateDir: dir }, store, exec } as unknown as RuntimeContext);
  const poolOps = () => store.operations.open().filter((op) => op.name === 'netns pool member');
  const pooled = () => poolOps().map((op) => String(op.undo[0]!.data.name));
  const loUp = (name: string) => {
    try {
      return execFileSync('nsenter', [`--net=${netnsPath(name)}`, '--', 'ip', '-o', 'link', 'show', 'lo'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('UP');
    } catch {
      return false; // Journalled, not made yet.
    }
  };
  /** Members are journalled before they are made: ready once loopback is up in each. */
  const ready = (n: number) => () => pooled().length === n && pooled().every(loUp);

  before(() => execFileSync('ip', ['netns', 'add', host]));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctt-nsm-'));
    store = new Store(dir);
  });
  afterEach(() => {
    for (const name of [...made, ...pooled()]) execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
    made.clear();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  after(() => execFileSync('ip', ['netns', 'delete', host]));

  it('keeps the pool full of ready namespaces, each journalled, hands them over, and deletes the rest on close', async () => {
    const exec = new CoprocessExecutor({ hostNetns: `/run/netns/${host}` });
    const namespaces = maker(exec, 2);
    namespaces.start();
    await until('two ready members', ready(2));
    const members = pooled();
    expect(poolOps().every((op) => namespaces.holds(op))).to.equal(true);

    const name = namespaces.claim('f'.repeat(64));
    expect(members).to.include(name);
    made.add(name);
    await namespaces.create(name);
    expect(pooled()).to.not.include(name);
    await exec.ip([['addr', 'add', '10.254.9.2/24', 'dev', 'lo']], { netns: netnsPath(name) });
    namespaces.endSetup(netnsPath(name));
    await until('refilled', () => ready(2)() && !pooled().includes(name));

    const left = pooled();
    await namespaces.close();
    expect(poolOps()).to.deep.equal([]);
    for (const n of left) expect(existsSync(netnsPath(n))).to.equal(false);
    expect(existsSync(netnsPath(name))).to.equal(true);
    await exec.close();
  });

  it('makes a namespace on demand when the pool is empty, named after the container', async () => {
    const exec = new CoprocessExecutor({ hostNetns: `/run/netns/${host}` });
    const namespaces = maker(exec, 0);
    namespaces.start();
    const id = randomBytes(32).toString('hex');
    const name = namespaces.claim(id);
    expect(name).to.equal(netnsName(id));
    made.add(name);
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
    namespaces.endSetup(netnsPath(name));
    await namespaces.close();
    expect(poolOps()).to.deep.equal([]);
    await exec.close();
  });

  it('has no pool with an executor that keeps no sessions (the in-process CLI): unshare makes each namespace', async () => {
    const namespaces = maker(new ExecaExecutor(), 4);
    namespaces.start();
    await sleep(50);
    expect(pooled()).to.deep.equal([]);
    const id = randomBytes(32).toString('hex');
    const name = namespaces.claim(id);
    made.add(name);
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
  });

  it('makes a member again when someone deleted it while it waited (a reset by another process)', async () => {
    const exec = new CoprocessExecutor({ hostNetns: `/run/netns/${host}` });
    const namespaces = maker(exec, 1);
    namespaces.start();
    await until('one ready member', ready(1));
    const [member] = pooled();
    execFileSync('ip', ['netns', 'delete', member!]);
    const name = namespaces.claim('e'.repeat(64));
    made.add(name);
    await namespaces.create(name);
    expect(loUp(name)).to.equal(true);
    namespaces.endSetup(netnsPath(name));
    await namespaces.close();
    await exec.close();
  });
});
