import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { TestNamespaces, tempStateDir } from '../src/index.js';

/** Runs fn with process.stderr.write captured, so expected cleanup warnings stay out of the report. */
async function captureStderr(fn: () => Promise<void>): Promise<string> {
  const original = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = original;
  }
  return text;
}

describe('TestNamespaces (no kernel)', () => {
  it('runs deferred steps newest first', async () => {
    const tn = new TestNamespaces();
    const order: number[] = [];
    tn.defer(() => order.push(1));
    tn.defer(async () => order.push(2));
    tn.defer(() => order.push(3));
    await tn.cleanup();
    expect(order).to.deep.equal([3, 2, 1]);
  });

  it('never throws: a failing step is reported and the rest still run', async () => {
    const tn = new TestNamespaces();
    const ran: string[] = [];
    tn.defer(() => ran.push('first'));
    tn.defer(() => {
      throw new Error('step exploded');
    });
    tn.defer(() => Promise.reject(new Error('async step exploded')));
    const warnings = await captureStderr(() => tn.cleanup());
    expect(ran).to.deep.equal(['first']);
    expect(warnings).to.include('step exploded').and.to.include('async step exploded');
  });

  it('is idempotent and stays usable after cleanup', async () => {
    const tn = new TestNamespaces();
    let runs = 0;
    tn.defer(() => runs++);
    await Promise.all([tn.cleanup(), tn.cleanup()]);
    await tn.cleanup();
    expect(runs).to.equal(1);
    tn.defer(() => runs++);
    await tn.cleanup();
    expect(runs).to.equal(2);
  });

  it('tempStateDir makes an empty directory and removes it at cleanup', async () => {
    const tn = new TestNamespaces();
    const dir = tempStateDir(tn);
    expect(existsSync(dir)).to.equal(true);
    await tn.cleanup();
    expect(existsSync(dir)).to.equal(false);
  });
});
