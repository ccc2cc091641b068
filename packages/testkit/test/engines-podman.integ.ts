import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  BUSYBOX_INDEX,
  busyboxImage,
  CNI_PLUGIN_DIR,
  createFence,
  createLan,
  hostChanges,
  httpGet,
  preparePodman,
  skipUnlessInstalled,
  snapshotHost,
  TestNamespaces,
  type Fence,
  type HostSnapshot,
  type Lan,
  type Podman,
} from '../src/index.js';
import { aliveProcesses, reportTiming } from './engines-helpers.js';

/** One fence per backend: both default networks use 10.88.0.0/16 and would clash in one host namespace. */
function describePodman(backend: 'cni' | 'netavark', more?: (world: () => { fence: Fence; podman: Podman; image: string }) => void): void {
  describe(`engines: Podman 4.3 (${backend} backend) in a fence`, function () {
    this.timeout(120_000);
    const tn = new TestNamespaces();
    let hostBefore: HostSnapshot;
    let fence: Fence;
    let podman: Podman;
    let image: string;
    let lan: Lan;
    const seen: number[] = [];

    before(async function () {
      skipUnlessInstalled(this, backend === 'cni' ? 'podman' : 'netavark');
      hostBefore = await snapshotHost();
      fence = await createFence(tn);
      podman = await preparePodman(fence, { networkBackend: backend });
      reportTiming(`podman (${backend}) first podman info`, podman.startMs);
      image = await podman.importImage(await busyboxImage(fence.path('image')));
      lan = await createLan(tn, fence.host);
    });

    after(async function () {
      this.timeout(60_000);
      await tn.cleanup();
    });

    it('publishes a port on its default network: a LAN namespace fetches the page', async () => {
      const started = Date.now();
      const id = (await podman.podman(['run', '-d', '--name', 'web', '-p', '8080:80', image, ...BUSYBOX_HTTPD])).stdout.trim();
      reportTiming(`podman (${backend}) run -d -p`, Date.now() - started);
      seen.push(Number((await podman.podman(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim()));
      expect(await httpGet(lan.ns, `http://${lan.hostAddress}:8080/`)).to.deep.equal({ status: 200, body: BUSYBOX_INDEX });
      // Its sandbox namespace and (for CNI) IPAM state went to the overlays, not the host.
      expect(existsSync(fence.path('overlay', 'run', 'upper', 'netns'))).to.equal(true);
      if (backend === 'cni') expect(existsSync(fence.path('overlay', 'var', 'upper', 'lib', 'cni', 'results'))).to.equal(true);
    });

    more?.(() => ({ fence, podman, image }));

    it('tears down without a trace: no process, cgroup, file, mount, netns or firewall rule left on the host', async () => {
      const started = Date.now();
      await tn.cleanup();
      reportTiming(`podman (${backend}) fence teardown`, Date.now() - started);
      expect(fence.traces()).to.deep.equal([]);
      expect(aliveProcesses(seen)).to.deep.equal([]);
      expect(hostChanges(hostBefore, await snapshotHost())).to.deep.equal([]);
    });
  });
}

describePodman('cni', (world) => {
  it("runs the caller's own CNI plugin from cni_plugin_dirs on a network defined by a conflist", async () => {
    const { fence, image } = world();
    const plugins = fence.path('my-plugins');
    mkdirSync(plugins);
    // The bridge plugin does not care what it is called: under a new name it stands for "a plugin of our own".
    symlinkSync(join(CNI_PLUGIN_DIR, 'bridge'), join(plugins, 'ctt-bridge'));
    const own = await preparePodman(fence, { networkBackend: 'cni', cniPluginDirs: [plugins] });
    writeFileSync(
      join(own.networkConfigDir, 'ctt-own.conflist'),
      JSON.stringify({
        cniVersion: '0.4.0',
        name: 'ctt-own',
        plugins: [{ type: 'ctt-bridge', bridge: 'ctt-own0', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.251.61.0/24' }]] } }],
      }),
    );
    const out = await own.podman(['run', '--rm', '--network', 'ctt-own', image, 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    expect(out.stdout).to.match(/inet 10\.251\.61\.\d+\/24/);
    expect((await fence.host.exec(['ip', '-o', 'link', 'show', 'ctt-own0'])).stdout).to.include('ctt-own0');
  });
});

describePodman('netavark');
