/**
 * Podman 4.3 with `network_backend = "cni"` and a conflist naming ctrnet:
 * the real `podman run -d -p`, reached from a LAN namespace, then removed
 * with nothing left. ctrnetd runs in the fence beside Podman, and the
 * plugin is installed into a CNI plugin dir with `ctrnet-cni install`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  BUSYBOX_INDEX,
  busyboxImage,
  createFence,
  createLan,
  fenceHostChanges,
  httpGet,
  preparePodman,
  skipUnlessInstalled,
  snapshotHost,
  startCtrnetd,
  TestNamespaces,
  type FencedCtrnetd,
  type Fence,
  type HostSnapshot,
  type Lan,
  type Podman,
} from '@ctrnet/testkit';
import { installLauncher } from '../src/install.js';

const SUBNET = '10.251.74';
describe('ctrnet-cni with Podman 4.3 (CNI backend) in a fence', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let podman: Podman;
  let ctrnetd: FencedCtrnetd;
  let image: string;
  let lan: Lan;

  before(async function () {
    skipUnlessInstalled(this, 'podman');
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    ctrnetd = await startCtrnetd(fence);
    const plugins = fence.path('cni-plugins');
    mkdirSync(plugins);
    installLauncher(plugins, 'ctrnet');
    podman = await preparePodman(fence, { networkBackend: 'cni', cniPluginDirs: [plugins] });
    writeFileSync(
      join(podman.networkConfigDir, 'ctrnet-pod.conflist'),
      JSON.stringify({
        cniVersion: '0.4.0',
        name: 'ctrnet-pod',
        plugins: [{ type: 'ctrnet', subnet: `${SUBNET}.0/24`, stateDir: ctrnetd.stateDir, capabilities: { portMappings: true, ips: true, mac: true, dns: true, aliases: true } }],
      }),
    );
    image = await podman.importImage(await busyboxImage(fence.path('image')));
    lan = await createLan(tn, fence.host);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  it('podman run -d -p on the ctrnet network: the LAN fetches the page through ctrnet\'s publisher', async () => {
    const started = Date.now();
    const id = (await podman.podman(['run', '-d', '--name', 'web', '--network', 'ctrnet-pod', '--network-alias', 'site', '-p', '8080:80', image, ...BUSYBOX_HTTPD])).stdout.trim();
    process.stdout.write(`      [timing] podman run -d -p (ctrnet CNI, through ctrnetd): ${Date.now() - started} ms\n`);
    expect(await httpGet(lan.ns, `http://${lan.hostAddress}:8080/`)).to.deep.equal({ status: 200, body: BUSYBOX_INDEX });
    const [attachment] = await ctrnetd.api.call('sandbox.list', { ownerPrefix: 'cni:' });
    expect(attachment).to.include({ owner: `cni:${id}`, ifname: 'eth0', network: 'ctrnet-pod' });
    expect(attachment!.aliases).to.include('site');
    expect(attachment!.bindings.map((b) => `${b.hostIp}:${b.hostPort}/${b.protocol}`)).to.deep.equal(['0.0.0.0:8080/tcp']);
    const inside = (await podman.podman(['exec', 'web', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).stdout;
    expect(inside).to.include(`${attachment!.ipv4}/24`);
  });

  it('a static --ip and --mac-address reach ctrnet (CNI_ARGS IP and MAC)', async () => {
    const out = await podman.podman(['run', '--rm', '--network', 'ctrnet-pod', '--ip', `${SUBNET}.50`, '--mac-address', '92:d0:c6:0a:29:33', image, 'sh', '-c', 'ip -o link show eth0; ip -o addr show eth0']);
    expect(out.stdout).to.include(`${SUBNET}.50/24`);
    expect(out.stdout).to.include('92:d0:c6:0a:29:33');
  });

  it('podman rm -f: the attachment, its port rules and its interfaces are gone', async () => {
    await podman.podman(['rm', '-f', '-t', '0', 'web']);
    expect(await ctrnetd.api.call('sandbox.list', {})).to.deep.equal([]);
    expect(await ctrnetd.api.call('container.list', { all: true })).to.deep.equal([]);
    const links = (await fence.host.exec(['ip', '-o', 'link'])).stdout;
    expect(links).to.not.match(/\bvc[0-9a-f]{13}\b/);
    const rules = (await fence.host.exec(['nft', 'list', 'ruleset'])).stdout + (await fence.host.exec(['iptables-save'])).stdout;
    expect(rules).to.not.include('8080');
    expect((await ctrnetd.api.call('system.gc', {})).fixed).to.deep.equal([]);
  });

  it('tears down without a trace on the host', async () => {
    await tn.cleanup();
    expect(fence.traces()).to.deep.equal([]);
    expect(fenceHostChanges(fence, hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
