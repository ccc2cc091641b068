/**
 * dockerd 20.10 with ctrnet as its network and IPAM driver: ctrnetd runs in
 * the fence with config `docker.pluginSocket` = /run/docker/plugins/ctrnet.sock,
 * where dockerd finds plugins. `network create -d ctrnet --ipam-driver
 * ctrnet`, `run -p` reached from a LAN namespace, `network connect` and
 * `disconnect`, ctrnetd SIGKILLed and dockerd restarted mid-life, then `rm`
 * and `network rm` leaving nothing.
 */
import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  BUSYBOX_HTTPD,
  BUSYBOX_INDEX,
  busyboxImage,
  createFence,
  createLan,
  fenceHostChanges,
  httpGet,
  skipUnlessInstalled,
  snapshotHost,
  startCtrnetd,
  startDockerd,
  TestNamespaces,
  type Dockerd,
  type Fence,
  type FencedCtrnetd,
  type HostSnapshot,
  type Lan,
} from '@ctrnet/testkit';

describe('ctrnet as the network and IPAM driver of dockerd 20.10 in a fence', function () {
  this.timeout(180_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let dockerd: Dockerd;
  let ctrnetd: FencedCtrnetd;
  let image: string;
  let lan: Lan;
  const attachments = async () => (await ctrnetd.api.call('sandbox.list', { ownerPrefix: 'docker:' })).sort((a, b) => a.created.localeCompare(b.created));
  const fetchWeb = async (port = 8080) => (await httpGet(lan.ns, `http://${lan.hostAddress}:${port}/`)).body;

  before(async function () {
    skipUnlessInstalled(this, 'dockerd');
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    dockerd = await startDockerd(fence);
    const config = fence.path('ctrnet.json');
    writeFileSync(config, JSON.stringify({ docker: { pluginSocket: '/run/docker/plugins/ctrnet.sock' } }));
    ctrnetd = await startCtrnetd(fence, { config });
    image = await dockerd.importImage(await busyboxImage(fence.path('image')));
    lan = await createLan(tn, fence.host);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  it('network create -d ctrnet --ipam-driver ctrnet, then run -p: the LAN reaches the container through ctrnet\'s publisher', async () => {
    const netId = (await dockerd.docker(['network', 'create', '-d', 'ctrnet', '--ipam-driver', 'ctrnet', 'cnet'])).stdout.trim();
    const [lease] = await ctrnetd.api.call('ipam.listPools', {});
    expect(lease).to.include({ network: `docker-${netId.slice(0, 12)}` });
    const started = Date.now();
    await dockerd.docker(['run', '-d', '--name', 'web', '--stop-timeout', '1', '--network', 'cnet', '-p', '8080:80', image, ...BUSYBOX_HTTPD]);
    process.stdout.write(`      [timing] docker run -d -p on a ctrnet network: ${Date.now() - started} ms\n`);
    expect(await fetchWeb()).to.equal(BUSYBOX_INDEX);
    const [web] = await attachments();
    expect(web!.bindings.map((b) => `${b.hostPort}->${b.containerPort}/${b.protocol}`)).to.deep.equal(['8080->80/tcp']);
    expect((await dockerd.docker(['inspect', '-f', '{{(index .NetworkSettings.Networks "cnet").IPAddress}}', 'web'])).stdout.trim()).to.equal(web!.ipv4);
    const eth0 = (await dockerd.docker(['exec', 'web', 'ip', '-o', 'link', 'show', 'eth0'])).stdout;
    expect(eth0).to.include(web!.mac);
    // A gateway in Join: no docker_gwbridge endpoint for the default route.
    expect((await dockerd.docker(['network', 'ls', '--format', '{{.Name}}'])).stdout).to.not.include('docker_gwbridge');
    expect((await dockerd.docker(['exec', 'web', 'ip', 'route'])).stdout).to.include(`default via ${lease!.gateway}`);
  });

  it('network connect adds eth1 from a second ctrnet network; disconnect removes it', async () => {
    await dockerd.docker(['network', 'create', '-d', 'ctrnet', '--ipam-driver', 'ctrnet', 'cnet2']);
    await dockerd.docker(['network', 'connect', 'cnet2', 'web']);
    expect(await attachments()).to.have.length(2);
    const second = (await attachments())[1]!;
    expect((await dockerd.docker(['exec', 'web', 'ip', '-o', '-4', 'addr', 'show', 'eth1'])).stdout).to.include(`${second.ipv4}/`);
    await dockerd.docker(['network', 'disconnect', 'cnet2', 'web']);
    expect((await attachments()).map((a) => a.network)).to.deep.equal([(await attachments())[0]!.network]);
    expect((await dockerd.docker(['exec', 'web', 'ip', '-o', 'link'])).stdout).to.not.include('eth1');
  });

  it('survives ctrnetd SIGKILLed mid-life: traffic keeps flowing, the restarted plugin serves the next run', async () => {
    await ctrnetd.kill();
    expect(await fetchWeb()).to.equal(BUSYBOX_INDEX);
    await ctrnetd.start();
    await dockerd.docker(['run', '-d', '--name', 'web2', '--stop-timeout', '1', '--network', 'cnet', '-p', '8081:80', image, ...BUSYBOX_HTTPD]);
    expect(await fetchWeb(8081)).to.equal(BUSYBOX_INDEX);
    expect(await attachments()).to.have.length(2);
  });

  it('survives dockerd restarted mid-life: its networks are still ctrnet\'s, its containers start again on them', async () => {
    process.kill(dockerd.pid, 'SIGTERM');
    for (let i = 0; i < 300; i++) {
      try {
        process.kill(dockerd.pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // Stopping its containers, dockerd left their endpoints (Leave, DeleteEndpoint).
    expect(await attachments()).to.deep.equal([]);
    dockerd = await startDockerd(fence);
    expect((await dockerd.docker(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).stdout).to.include('cnet ctrnet');
    await dockerd.docker(['start', 'web', 'web2']);
    expect(await fetchWeb()).to.equal(BUSYBOX_INDEX);
    expect(await fetchWeb(8081)).to.equal(BUSYBOX_INDEX);
    expect(await attachments()).to.have.length(2);
  });

  it('rm and network rm leave nothing: no attachment, network, pool, interface or port rule', async () => {
    await dockerd.docker(['rm', '-f', 'web', 'web2']);
    await dockerd.docker(['network', 'rm', 'cnet', 'cnet2']);
    expect(await ctrnetd.api.call('sandbox.list', {})).to.deep.equal([]);
    expect(await ctrnetd.api.call('ipam.listPools', {}), ctrnetd.output()).to.deep.equal([]);
    expect((await ctrnetd.api.call('network.list', {})).map((n) => n.Name)).to.deep.equal(['bridge', 'host', 'none']);
    const links = (await fence.host.exec(['ip', '-o', 'link'])).stdout;
    expect(links).to.not.match(/\b(ctd|vc)[0-9a-f]{12,13}\b/);
    expect(links).to.not.match(/\bctr-[0-9a-f]{11}\b/);
    const rules = (await fence.host.exec(['nft', 'list', 'ruleset'])).stdout;
    expect(rules).to.not.match(/\b808[01]\b/);
    expect((await ctrnetd.api.call('system.gc', {})).fixed).to.deep.equal([]);
  });

  it('tears down without a trace on the host', async () => {
    await tn.cleanup();
    expect(fence.traces()).to.deep.equal([]);
    expect(fenceHostChanges(fence, hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
