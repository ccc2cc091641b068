import { unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
  startDockerd,
  TestNamespaces,
  type Dockerd,
  type Fence,
  type HostSnapshot,
  type Lan,
} from '../src/index.js';
import { aliveProcesses, reportTiming } from './engines-helpers.js';

/**
 * A remote network driver that answers just enough for `network create` and
 * `network rm`, on a unix socket; records every call.
 */
function probePlugin(socketPath: string, calls: string[]): Promise<Server> {
  const answers: Record<string, unknown> = {
    '/Plugin.Activate': { Implements: ['NetworkDriver'] },
    '/NetworkDriver.GetCapabilities': { Scope: 'local', ConnectivityScope: 'local' },
    '/NetworkDriver.CreateNetwork': {},
    '/NetworkDriver.DeleteNetwork': {},
  };
  const server = createServer((req, res) => {
    calls.push(req.url!);
    req.resume();
    const answer = answers[req.url!];
    res.writeHead(answer ? 200 : 404, { 'Content-Type': 'application/vnd.docker.plugins.v1.2+json' });
    res.end(JSON.stringify(answer ?? { Err: 'not implemented' }));
  });
  return new Promise((resolve) => server.listen(socketPath, () => resolve(server)));
}

describe('engines: dockerd 20.10 in a fence', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let hostBefore: HostSnapshot;
  let fence: Fence;
  let dockerd: Dockerd;
  let image: string;
  let lan: Lan;
  const seen: number[] = [];

  before(async function () {
    skipUnlessInstalled(this, 'dockerd');
    hostBefore = await snapshotHost();
    fence = await createFence(tn);
    dockerd = await startDockerd(fence);
    reportTiming('dockerd start', dockerd.startMs);
    seen.push(dockerd.pid);
    image = await dockerd.importImage(await busyboxImage(fence.path('image')));
    lan = await createLan(tn, fence.host);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  it('publishes a port on its own default bridge: a LAN namespace fetches the page', async () => {
    const id = (await dockerd.docker(['run', '-d', '-p', '8080:80', image, ...BUSYBOX_HTTPD])).stdout.trim();
    seen.push(Number((await dockerd.docker(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim()));
    expect(await httpGet(lan.ns, `http://${lan.hostAddress}:8080/`)).to.deep.equal({ status: 200, body: BUSYBOX_INDEX });
    // docker0 and its NAT rules live in the fence's host namespace.
    expect((await fence.host.exec(['ip', '-o', 'link', 'show', 'docker0'])).stdout).to.include('docker0');
    expect((await fence.host.exec(['iptables-save', '-t', 'nat'])).stdout).to.match(/DNAT --to-destination 172\.17\.0\.\d+:80/);
  });

  it('finds remote plugins through the fence: a socket in /run/docker/plugins, a spec file in /etc/docker/plugins', async () => {
    const bySocket: string[] = [];
    const bySpec: string[] = [];
    const specSocket = fence.path('spec-plugin.sock');
    const servers = [await probePlugin(join(dockerd.pluginDirs.sockets, 'ctt-sock.sock'), bySocket), await probePlugin(specSocket, bySpec)];
    writeFileSync(join(dockerd.pluginDirs.specs, 'ctt-spec.spec'), `unix://${specSocket}\n`);
    try {
      for (const driver of ['ctt-sock', 'ctt-spec']) {
        await dockerd.docker(['network', 'create', '-d', driver, `net-${driver}`]);
        await dockerd.docker(['network', 'rm', `net-${driver}`]);
      }
    } finally {
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
      unlinkSync(join(dockerd.pluginDirs.specs, 'ctt-spec.spec'));
    }
    for (const calls of [bySocket, bySpec]) {
      expect(calls).to.deep.equal(['/Plugin.Activate', '/NetworkDriver.GetCapabilities', '/NetworkDriver.CreateNetwork', '/NetworkDriver.DeleteNetwork']);
    }
  });

  it('tears down without a trace: no process, cgroup, file, mount, netns or firewall rule left on the host', async () => {
    const started = Date.now();
    await tn.cleanup();
    reportTiming('dockerd fence teardown', Date.now() - started);
    expect(fence.traces()).to.deep.equal([]);
    expect(aliveProcesses(seen)).to.deep.equal([]);
    expect(hostChanges(hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
