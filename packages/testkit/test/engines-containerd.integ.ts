import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  BUSYBOX_INDEX,
  busyboxImage,
  createFence,
  createLan,
  hostChanges,
  httpGet,
  skipUnlessInstalled,
  snapshotHost,
  startContainerd,
  TestNamespaces,
  type Containerd,
  type Fence,
  type HostSnapshot,
  type Lan,
} from '../src/index.js';
import { aliveProcesses, reportTiming } from './engines-helpers.js';

const SUBNET = '10.251.62';

describe('engines: containerd 1.6 + ctr in a fence', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let containerd: Containerd;
  let image: string;
  let lan: Lan;
  const seen: number[] = [];

  before(async function () {
    skipUnlessInstalled(this, 'containerd');
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    containerd = await startContainerd(fence);
    reportTiming('containerd start', containerd.startMs);
    seen.push(containerd.pid);
    image = await containerd.importImage(await busyboxImage(fence.path('image')));
    lan = await createLan(tn, fence.host);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  it('ctr run --cni: the first conflist of its conf dir wires the task to a bridge, reachable from the host and the LAN', async () => {
    writeFileSync(
      join(containerd.cni.confDir, '10-ctt.conflist'),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'ctt-ctr',
        plugins: [{ type: 'bridge', bridge: 'ctt-ctr0', isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: `${SUBNET}.0/24` }]], routes: [{ dst: '0.0.0.0/0' }] } }],
      }),
    );
    const started = Date.now();
    await containerd.ctr(['run', '-d', '--cni', image, 'web', ...BUSYBOX_HTTPD]);
    reportTiming('ctr run -d --cni', Date.now() - started);
    const pid = Number((await containerd.ctr(['tasks', 'ls'])).stdout.match(/^web\s+(\d+)/m)![1]);
    seen.push(pid);
    // The default cgroup is /<containerd namespace>/<id>: the fence's own parent.
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).to.include(`:${fence.cgroupParent}/web`);
    const address = (await containerd.ctr(['tasks', 'exec', '--exec-id', 'probe', 'web', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).stdout.match(/inet ([\d.]+)\//)![1]!;
    expect(address.startsWith(`${SUBNET}.`), address).to.equal(true);
    expect(await httpGet(fence.host, `http://${address}/`)).to.deep.equal({ status: 200, body: BUSYBOX_INDEX });
    await lan.ns.exec(['ip', 'route', 'add', `${SUBNET}.0/24`, 'via', lan.hostAddress]);
    expect((await httpGet(lan.ns, `http://${address}/`)).body).to.equal(BUSYBOX_INDEX);
  });

  it('tears down without a trace: no process, cgroup, file, mount, netns or firewall rule left on the host', async () => {
    const started = Date.now();
    await tn.cleanup();
    reportTiming('containerd fence teardown', Date.now() - started);
    expect(fence.traces()).to.deep.equal([]);
    expect(aliveProcesses(seen)).to.deep.equal([]);
    expect(hostChanges(hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
