import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  busyboxImage,
  createFence,
  hostChanges,
  ociRuntime,
  skipUnlessInstalled,
  snapshotHost,
  TestNamespaces,
  type BusyboxImage,
  type Fence,
  type HostSnapshot,
  type OciHook,
} from '../src/index.js';
import { aliveProcesses, reportTiming } from './engines-helpers.js';

interface HookState {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** runc and crun share one fence: they have no daemon, and their state dirs (`--root`) differ. */
describe('engines: runc 1.1 and crun 1.8 in a fence', function () {
  this.timeout(60_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let image: BusyboxImage;
  const seen: number[] = [];

  before(async () => {
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    image = await busyboxImage(fence.path('image'));
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  for (const name of ['runc', 'crun'] as const) {
    it(`${name}: hooks run with the state on stdin (createRuntime, poststart, poststop)`, async function () {
      skipUnlessInstalled(this, name);
      const runtime = ociRuntime(fence, name);
      // tee writes its stdin, the container state, to a file: a hook without a shell.
      const tee = (stage: string): OciHook[] => [{ path: '/usr/bin/tee', args: ['tee', fence.path(`${name}-${stage}.json`)], env: ['PATH=/usr/bin:/bin'], timeout: 5 }];
      const bundle = await runtime.bundle({
        id: `web-${name}`,
        image,
        args: BUSYBOX_HTTPD,
        hooks: { createRuntime: tee('createRuntime'), poststart: tee('poststart'), poststop: tee('poststop') },
        annotations: { 'org.ctrnet.test': name },
      });
      const started = Date.now();
      await runtime.cli(['run', '--detach', '--bundle', bundle.dir, bundle.id], { background: true });
      reportTiming(`${name} run -d with hooks`, Date.now() - started);
      const state = JSON.parse((await runtime.cli(['state', bundle.id])).stdout) as { status: string; pid: number };
      expect(state.status).to.equal('running');
      seen.push(state.pid);
      const read = (stage: string): HookState => JSON.parse(readFileSync(fence.path(`${name}-${stage}.json`), 'utf8')) as HookState;
      const created = read('createRuntime');
      expect(created).to.include({ id: bundle.id, bundle: bundle.dir, pid: state.pid });
      // runc reports "creating" (as the spec says), crun 1.8 already "created".
      expect(created.status).to.be.oneOf(['creating', 'created']);
      expect(created.annotations).to.deep.equal({ 'org.ctrnet.test': name });
      expect(read('poststart')).to.include({ id: bundle.id, pid: state.pid });
      expect(readFileSync(`/proc/${state.pid}/cgroup`, 'utf8')).to.include(`:${fence.cgroupParent}/${name}-${bundle.id}`);
      await runtime.cli(['delete', '--force', bundle.id]);
      expect(read('poststop')).to.include({ id: bundle.id, status: 'stopped' });
    });

    it(`${name}: a bundle with netnsPath joins that network namespace`, async function () {
      skipUnlessInstalled(this, name);
      const runtime = ociRuntime(fence, name);
      const target = await tn.create('oci');
      await target.exec(['ip', 'link', 'add', 'ctt-probe0', 'type', 'veth', 'peer', 'name', 'ctt-probe1']);
      const bundle = await runtime.bundle({ id: `links-${name}`, image, args: ['ip', '-o', 'link'], netnsPath: fence.netnsPath(target) });
      const out = await runtime.cli(['run', '--bundle', bundle.dir, bundle.id]);
      expect(out.stdout).to.include('ctt-probe0');
    });
  }

  it('tears down without a trace: no process, cgroup, file, mount, netns or firewall rule left on the host', async () => {
    await tn.cleanup();
    expect(fence.traces()).to.deep.equal([]);
    expect(aliveProcesses(seen)).to.deep.equal([]);
    expect(hostChanges(hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
