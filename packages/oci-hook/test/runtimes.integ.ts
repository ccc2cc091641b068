/**
 * runc 1.1 and crun 1.8 running a busybox bundle whose config.json names
 * ctrnet-oci-hook (createRuntime + poststop, as `ctrnet-oci-hook hooks`
 * prints them): the container answers on its published port from a LAN
 * namespace, `delete` leaves nothing, and a container killed without
 * poststop is reconciled by gc. runc's hooks go through ctrnetd, crun's
 * run in-process (`CTRNET_DAEMON=never`) on the same installation.
 */
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  BUSYBOX_INDEX,
  busyboxImage,
  createFence,
  createLan,
  fenceHostChanges,
  httpGet,
  ociRuntime,
  skipUnlessInstalled,
  snapshotHost,
  startCtrnetd,
  TestNamespaces,
  type BusyboxImage,
  type Fence,
  type FencedCtrnetd,
  type HostSnapshot,
  type Lan,
  type OciHooks,
} from '@ctrnet/testkit';
import { hooksFor } from '../src/main.js';

describe('ctrnet-oci-hook with runc 1.1 and crun 1.8 in a fence', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let ctrnetd: FencedCtrnetd;
  let image: BusyboxImage;
  let lan: Lan;

  /** Pins ctrnet keeps under the fence's own /run/netns (an overlay: its upper layer shows what was made). */
  const pins = () => {
    try {
      return readdirSync(fence.path('overlay', 'run', 'upper', 'netns')).filter((n) => n.startsWith('ctrnet-'));
    } catch {
      return [];
    }
  };

  before(async function () {
    skipUnlessInstalled(this, 'runc', 'crun');
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    ctrnetd = await startCtrnetd(fence);
    await ctrnetd.api.call('network.create', { name: 'oci', driver: 'bridge', subnet: '10.251.76.0/24', internal: false, ipv6: false, options: {} });
    image = await busyboxImage(fence.path('image'));
    lan = await createLan(tn, fence.host);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  const runtimes = [
    { name: 'runc', port: 8080, extraEnv: [] as string[] },
    { name: 'crun', port: 8081, extraEnv: ['CTRNET_DAEMON=never'] },
  ] as const;

  for (const { name, port, extraEnv } of runtimes) {
    const hooks = (): OciHooks => {
      const printed = hooksFor({ stateDir: ctrnetd.stateDir });
      const withEnv = (entries: typeof printed.createRuntime) => entries.map((e) => ({ ...e, env: [...e.env, ...extraEnv] }));
      return { createRuntime: withEnv(printed.createRuntime), poststop: withEnv(printed.poststop) };
    };

    it(`${name}: createRuntime attaches the container to the annotated network, its port answers from the LAN, delete leaves nothing`, async () => {
      const runtime = ociRuntime(fence, name);
      const bundle = await runtime.bundle({ id: `web-${name}`, image, args: BUSYBOX_HTTPD, hooks: hooks(), annotations: { 'ctrnet.network': 'oci', 'ctrnet.ports': `${port}:80` } });
      const started = Date.now();
      await runtime.cli(['run', '--detach', '--bundle', bundle.dir, bundle.id], { background: true });
      process.stdout.write(`      [timing] ${name} run -d with ctrnet-oci-hook (${extraEnv.length ? 'in-process' : 'through ctrnetd'}): ${Date.now() - started} ms\n`);
      expect(await httpGet(lan.ns, `http://${lan.hostAddress}:${port}/`)).to.deep.equal({ status: 200, body: BUSYBOX_INDEX });
      const [attachment] = await ctrnetd.api.call('sandbox.list', { owner: `oci:${bundle.id}` });
      expect(attachment).to.include({ network: 'oci', ifname: 'eth0' });
      expect(pins()).to.have.length(1);
      await runtime.cli(['delete', '--force', bundle.id]);
      expect(await ctrnetd.api.call('sandbox.list', {})).to.deep.equal([]);
      expect(pins()).to.deep.equal([]);
      expect((await fence.host.exec(['ip', '-o', 'link'])).stdout).to.not.match(/\bvc[0-9a-f]{13}\b/);
    });

    it(`${name}: a container killed without poststop is detached by gc; a late delete (poststop) is a no-op`, async () => {
      const runtime = ociRuntime(fence, name);
      const bundle = await runtime.bundle({ id: `gone-${name}`, image, args: BUSYBOX_HTTPD, hooks: hooks(), annotations: { 'ctrnet.network': 'oci' } });
      await runtime.cli(['run', '--detach', '--bundle', bundle.dir, bundle.id], { background: true });
      const { pid } = JSON.parse((await runtime.cli(['state', bundle.id])).stdout) as { pid: number };
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && (JSON.parse((await runtime.cli(['state', bundle.id])).stdout) as { status: string }).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 50));
      const { fixed } = await ctrnetd.api.call('system.gc', {});
      expect(fixed.join('\n')).to.include(`detached oci:${bundle.id}/eth0`);
      expect(pins()).to.deep.equal([]);
      await runtime.cli(['delete', bundle.id]);
      expect(await ctrnetd.api.call('sandbox.list', {})).to.deep.equal([]);
    });
  }

  it('tears down without a trace on the host', async () => {
    await ctrnetd.api.call('system.reset', {});
    await tn.cleanup();
    expect(fence.traces()).to.deep.equal([]);
    expect(fenceHostChanges(fence, hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
