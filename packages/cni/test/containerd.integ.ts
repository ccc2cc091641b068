/**
 * containerd 1.6's `ctr run --cni` with ctrnet as the conflist's plugin
 * (CNI 1.0.0, go-cni's defaults: /etc/cni/net.d, /opt/cni/bin), in-process
 * (no ctrnetd): a detached task reached through its address, reconciled by
 * gc once it is killed (ctr never runs DEL for detached tasks), and a
 * foreground `--rm` run that DELs on exit.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  BUSYBOX_INDEX,
  busyboxImage,
  createFence,
  ctrnetCli,
  fenceHostChanges,
  httpGet,
  skipUnlessInstalled,
  snapshotHost,
  startContainerd,
  TestNamespaces,
  type Containerd,
  type CtrnetRunner,
  type Fence,
  type HostSnapshot,
} from '@ctrnet/testkit';
import { installLauncher } from '../src/install.js';

const SUBNET = '10.251.75';

describe('ctrnet-cni with containerd 1.6 (ctr run --cni) in a fence, in-process', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let containerd: Containerd;
  let image: string;
  let stateDir: string;
  /** The ctrnet CLI on the fence's installation (run outside the fence's mount namespace: it only reads the store here). */
  let ctrnet: CtrnetRunner;
  const attachments = async () => JSON.parse((await ctrnet(['ps', '-a', '--format', 'json'])).stdout) as { Name: string; IPs: string[] }[];

  before(async function () {
    skipUnlessInstalled(this, 'containerd');
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    containerd = await startContainerd(fence);
    stateDir = fence.path('ctrnet');
    ctrnet = ctrnetCli(fence.host, stateDir);
    installLauncher(containerd.cni.binDir, 'ctrnet');
    writeFileSync(
      join(containerd.cni.confDir, '10-ctrnet.conflist'),
      JSON.stringify({ cniVersion: '1.0.0', name: 'ctrnet-ctr', plugins: [{ type: 'ctrnet', subnet: `${SUBNET}.0/24`, stateDir }] }),
    );
    image = await containerd.importImage(await busyboxImage(fence.path('image')));
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  it('ctr run -d --cni: the task gets a ctrnet address the host reaches; gc detaches it once the task is gone', async () => {
    const started = Date.now();
    await containerd.ctr(['run', '-d', '--cni', image, 'web', ...BUSYBOX_HTTPD]);
    process.stdout.write(`      [timing] ctr run -d --cni (ctrnet CNI, in-process): ${Date.now() - started} ms\n`);
    const [web] = await attachments();
    expect(web!.Name).to.equal(`cni:${containerd.namespace}-web/eth0`);
    const address = web!.IPs[0]!;
    expect(address.startsWith(`${SUBNET}.`), address).to.equal(true);
    expect(await httpGet(fence.host, `http://${address}/`)).to.deep.equal({ status: 200, body: BUSYBOX_INDEX });
    await containerd.ctr(['tasks', 'delete', '--force', 'web']);
    await containerd.ctr(['containers', 'delete', 'web']);
    // The namespace was the task's /proc/PID/ns/net: gone with it, so the attachment is stale.
    const gc = await ctrnet(['system', 'gc']);
    expect(gc.stdout).to.include(`detached cni:${containerd.namespace}-web/eth0`);
    expect(await attachments()).to.deep.equal([]);
  });

  it('ctr run --rm --cni (foreground): ADD before the task runs, DEL when it exits', async () => {
    const out = await containerd.ctr(['run', '--rm', '--cni', image, 'probe', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    expect(out.stdout).to.match(new RegExp(`inet ${SUBNET.replaceAll('.', '\\.')}\\.\\d+/24`));
    expect(await attachments()).to.deep.equal([]);
  });

  it('tears down without a trace on the host', async () => {
    await ctrnet(['system', 'reset']);
    await tn.cleanup();
    expect(fence.traces()).to.deep.equal([]);
    expect(fenceHostChanges(fence, hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
