/**
 * Ten OS processes allocate from one pool in one state dir at once: the
 * address book's transactions must keep every address distinct. Needs no
 * root; the workers only touch the temp state dir.
 */
import { cidrContains } from '@ctrnet/core';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DefaultIpam } from '../src/default-ipam.js';
import { type Fixture, makeFixture, networkId } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/allocate-worker.js', import.meta.url));
const PROCESSES = 10;
const PER_PROCESS = 5;

/** A started worker: `ready` settles once it can allocate, `addresses` with what it took. */
interface Worker {
  ready: Promise<void>;
  go(): void;
  addresses: Promise<string[]>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const addresses = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout.slice('ready\n'.length)) as string[]);
      else reject(new Error(`worker ${args[3]} exited with ${code}: ${stderr}`));
    });
  });
  // A worker that dies before it is ready must fail the test, not hang it.
  void addresses.catch(markReady);
  return { ready, addresses, go: () => child.stdin.end('go\n') };
}

describe('DefaultIpam across processes', function () {
  this.timeout(60_000);
  let f: Fixture;
  afterEach(() => f?.cleanup());

  it(`${PROCESSES} processes x ${PER_PROCESS} allocations from one pool get distinct addresses`, async () => {
    f = makeFixture();
    const net = networkId(5);
    const pool = await new DefaultIpam().requestPool(f.ctx, { networkId: net, subnet: '10.123.0.0/24' });

    const workers = Array.from({ length: PROCESSES }, (_, i) => startWorker([f.stateDir, net, JSON.stringify(pool), `worker${i}`, String(PER_PROCESS)]));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.addresses));

    const all = results.flat();
    expect(all).to.have.length(PROCESSES * PER_PROCESS);
    expect(new Set(all).size).to.equal(PROCESSES * PER_PROCESS);
    for (const address of all) {
      expect(cidrContains(pool.subnet, address)).to.equal(true);
      expect(address).not.to.be.oneOf(['10.123.0.0', '10.123.0.1', '10.123.0.255']);
    }
    // Lowest-free allocation with no releases packs the pool from the bottom.
    expect([...all].sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3]))[49]).to.equal('10.123.0.51');
    // The book agrees with what the workers printed, owner by owner.
    results.forEach((addresses, w) =>
      addresses.forEach((address) => expect(f.ctx.addresses.ownerOf(net, address)).to.match(new RegExp(`^worker${w}-\\d$`))),
    );
  });
});
