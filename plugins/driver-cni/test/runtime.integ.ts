/**
 * The cni driver loaded into a ctrnet installation as a third-party plugin
 * (config `plugins`): `network create -d cni`, `run`, `rm` and `network rm`
 * drive Debian's bridge + host-local + portmap list, leaving libcni's cache
 * in its format and nothing behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BUILTIN_PLUGINS } from '@ctrnet/core';
import { createCtrnetEnv, execIn, useTestNamespaces } from '@ctrnet/testkit';

const PLUGIN = fileURLToPath(new URL('../src/index.js', import.meta.url));

describe('@ctrnet/driver-cni in a ctrnet installation', function () {
  this.timeout(60_000);
  const tn = useTestNamespaces();

  it('runs a container on a network made by a CNI list, with libcni\'s cache, and removes it all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctt-driver-cni-'));
    tn.defer(() => rmSync(dir, { recursive: true, force: true }));
    const conflist = join(dir, 'web.conflist');
    writeFileSync(
      conflist,
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'ctt-web',
        plugins: [
          { type: 'bridge', bridge: 'ctt-web0', isGateway: true, ipMasq: true, capabilities: { mac: true, ips: true }, ipam: { type: 'host-local', dataDir: join(dir, 'leases'), ranges: [[{ subnet: '10.251.77.0/24' }]], routes: [{ dst: '0.0.0.0/0' }] } },
          { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.rp_filter': '2' } },
        ],
      }),
    );
    const env = await createCtrnetEnv(tn, { config: { plugins: [...BUILTIN_PLUGINS, PLUGIN] } });
    await env.ok('network', 'create', '-d', 'cni', '-o', `conflist=${conflist}`, '-o', `cache_dir=${join(dir, 'cache')}`, '--subnet', '10.251.77.0/24', 'web');
    await env.ok('run', '-d', '--name', 'c1', '--net', 'web', '--', 'sleep', '300');
    const inspect = JSON.parse(await env.ok('inspect', 'c1')) as { Id: string; State: { Pid: number }; NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string }> } }[];
    const { IPAddress, MacAddress } = inspect[0]!.NetworkSettings.Networks.web!;
    expect(IPAddress).to.equal('10.251.77.2');
    const inside = (await execIn(`/proc/${inspect[0]!.State.Pid}/ns/net`, ['ip', '-o', 'addr', 'show', 'eth0'])).stdout;
    expect(inside).to.include('10.251.77.2/24');
    expect((await execIn(`/proc/${inspect[0]!.State.Pid}/ns/net`, ['sysctl', '-n', 'net.ipv4.conf.eth0.rp_filter'])).stdout.trim()).to.equal('2');
    const [cacheFile] = readdirSync(join(dir, 'cache', 'results'));
    expect(cacheFile).to.equal(`ctt-web-${inspect[0]!.Id}-eth0`);
    const cache = JSON.parse(readFileSync(join(dir, 'cache', 'results', cacheFile!), 'utf8')) as Record<string, unknown>;
    expect(cache).to.include({ kind: 'cniCacheV1', containerId: inspect[0]!.Id, ifName: 'eth0', networkName: 'ctt-web' });
    expect(JSON.parse(Buffer.from(cache.config as string, 'base64').toString('utf8')).name).to.equal('ctt-web');
    expect(JSON.stringify(cache.result)).to.include(MacAddress);
    await env.ok('rm', '-f', 'c1');
    expect(readdirSync(join(dir, 'cache', 'results'))).to.deep.equal([]);
    expect(readdirSync(join(dir, 'leases', 'ctt-web')).filter((f) => /^\d/.test(f))).to.deep.equal([]);
    await env.ok('network', 'rm', 'web');
    expect((await execIn(env.host, ['ip', '-o', 'link'])).stdout).to.not.include('ctt-web0');
    expect(existsSync(conflist)).to.equal(true);
  });
});
