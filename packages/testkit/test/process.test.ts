import { expect } from 'chai';
import { spawnProcess } from '../src/index.js';

/** True while a process with this PID exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('spawnProcess (current namespace)', () => {
  it('collects output, waits for a marker and stops by PID', async () => {
    const proc = spawnProcess(undefined, [process.execPath, '-e', 'console.log("ready"); console.error("warn"); setInterval(() => {}, 1000)']);
    await proc.waitForOutput('ready');
    await proc.waitForOutput(/warn/);
    expect(alive(proc.pid)).to.equal(true);
    await proc.stop();
    expect(proc.exited()).to.equal(true);
    expect(alive(proc.pid)).to.equal(false);
    await proc.stop();
  });

  it('passes env through', async () => {
    const proc = spawnProcess(undefined, [process.execPath, '-e', 'console.log("v=" + process.env.CTT_VALUE)'], { env: { CTT_VALUE: 'x y' } });
    await proc.waitForOutput('v=x y');
    await proc.stop();
  });

  it('rejects waitForOutput with the output when the process exits first', async () => {
    const proc = spawnProcess(undefined, [process.execPath, '-e', 'console.error("boom"); process.exit(3)']);
    let caught: unknown;
    await proc.waitForOutput('never').catch((err: unknown) => (caught = err));
    expect(String(caught)).to.match(/exited before printing never/).and.to.include('boom');
  });

  it('kills a process that ignores SIGTERM', async function () {
    this.timeout(10_000);
    const proc = spawnProcess(undefined, [process.execPath, '-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)']);
    await proc.waitForOutput('up');
    await proc.stop();
    expect(alive(proc.pid)).to.equal(false);
  });
});
