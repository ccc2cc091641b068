import { expect } from 'chai';
import { Coprocess, CoprocessDied } from '../src/exec/coprocess.js';

/** Answers every line with `did LINE` on stderr; with `stubborn`, ignores the end of its input. */
const ECHO = `
  const stubborn = process.argv.includes('stubborn');
  require('readline').createInterface({ input: process.stdin })
    .on('line', (l) => process.stderr.write('did ' + l + '\\n'))
    .on('close', () => { if (stubborn) setInterval(() => undefined, 1000); });
`;
const echo = (options: { recycleAfter?: number; stubborn?: boolean } = {}) =>
  new Coprocess({ argv: [process.execPath, '-e', ECHO, ...(options.stubborn ? ['stubborn'] : [])], recycleAfter: options.recycleAfter ?? 100 });
const done = (word: string) => new RegExp(`^did ${word}\\n`, 'm');

describe('Coprocess', () => {
  it('answers an exchange with the stderr written before its terminator', async () => {
    const co = echo();
    expect(await co.serial((x) => x('one\ntwo\n', done('two')))).to.equal('did one\n');
    await co.close();
  });

  it('keeps one caller\'s exchanges together while others wait', async () => {
    const co = echo();
    const talk = (name: string) => co.serial(async (x) => [await x(`${name}-1\n`, done(`${name}-1`)), await x(`${name}-2\n`, done(`${name}-2`))]);
    const order: string[] = [];
    await Promise.all(['a', 'b', 'c'].map((n) => talk(n).then(() => order.push(n))));
    expect(order).to.deep.equal(['a', 'b', 'c']);
    await co.close();
  });

  it('replaces the process after recycleAfter exchanges, between two exchanges', async () => {
    const co = echo({ recycleAfter: 2 });
    const pids: Array<number | undefined> = [];
    for (let i = 0; i < 5; i++) {
      await co.serial((x) => {
        const reply = x(`${i}\n`, done(String(i)));
        pids.push(co.pid);
        return reply;
      });
    }
    expect(pids[0]).to.equal(pids[1]);
    expect(pids[2]).to.equal(pids[3]);
    expect(new Set(pids).size).to.equal(3);
    await co.close();
  });

  it('rejects the exchange in flight with CoprocessDied when the process ends, and starts a new one next time', async () => {
    const co = echo();
    await co.serial((x) => x('warm\n', done('warm')));
    const pid = co.pid!;
    const pending = co.serial((x) => x('first\n', /^never\n/m));
    setTimeout(() => process.kill(pid, 'SIGKILL'), 50);
    const err = await pending.then(() => expect.fail('a dead process cannot answer'), (e: unknown) => e);
    expect(err).to.be.instanceOf(CoprocessDied);
    expect(err).to.include({ pid, exitCode: 137, stderr: 'did first\n' });
    expect(await co.serial((x) => x('again\nend\n', done('end')))).to.equal('did again\n');
    expect(co.pid).to.not.equal(pid);
    await co.close();
  });

  it('close lets a stubborn process go, then kills it by its PID', async () => {
    const co = echo({ stubborn: true });
    await co.serial((x) => x('hi\n', done('hi')));
    const pid = co.pid!;
    const started = Date.now();
    await co.close();
    expect(Date.now() - started).to.be.at.least(1_900);
    expect(() => process.kill(pid, 0)).to.throw(/ESRCH/);
  }).timeout(5_000);
});
