import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createFence, useTestNamespaces } from '../src/index.js';

describe('engines: skipping when a package is missing', function () {
  this.timeout(60_000);
  const tn = useTestNamespaces();

  it('names each missing package and skips the suite (pending, exit 0)', async () => {
    // Inside a fence the packages can be hidden without touching the machine.
    const fence = await createFence(tn);
    await fence.exec(['mount', '-n', '-t', 'tmpfs', 'tmpfs', '/usr/sbin']);
    await fence.exec(['mount', '-n', '--bind', '/bin/dash', '/bin/busybox']);
    const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
    const fixture = fileURLToPath(new URL('./fixtures/missing-engine.fixture.js', import.meta.url));
    const run = await fence.exec([process.execPath, mocha, '--exit', fixture], { reject: false });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(/0 passing[\s\S]*1 pending/);
    expect(run.stderr).to.include('[ctrnet testkit] SKIPPED');
    expect(run.stderr).to.include('docker.io: /usr/sbin/dockerd is missing');
    expect(run.stderr).to.include('runc: /usr/sbin/runc is missing');
    expect(run.stderr).to.include('busybox-static: /bin/busybox is dynamically linked');
    expect(run.stderr).to.not.include('crun:');
  });
});
