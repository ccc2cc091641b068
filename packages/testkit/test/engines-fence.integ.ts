import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createFence, hostChanges, snapshotHost, spawnProcess, TestNamespaces, useTestNamespaces, type HostSnapshot } from '../src/index.js';
import { cgroupHierarchies } from '../src/engines/cgroups.js';
import { aliveProcesses } from './engines-helpers.js';

describe('engines: the fence', function () {
  this.timeout(60_000);
  const tn = useTestNamespaces();
  let hostBefore: HostSnapshot;

  before(async () => {
    hostBefore = await snapshotHost();
  });

  it('shadows /etc, /opt, /run and /var: what is written there stays in the temp dir', async () => {
    const fence = await createFence(tn);
    const probe = `${fence.name}.probe`;
    const targets = ['/etc', '/opt', '/run', '/var/lib', '/var/cache'].map((d) => `${d}/${probe}`);
    for (const target of targets) await fence.exec(['tee', target], { input: 'inside' });
    for (const target of targets) {
      expect(existsSync(target), target).to.equal(false);
      expect((await fence.exec(['cat', target])).stdout).to.equal('inside');
    }
    expect(readFileSync(fence.path('overlay', 'run', 'upper', probe), 'utf8')).to.equal('inside');
    expect(readFileSync(fence.path('overlay', 'var', 'upper', 'lib', probe), 'utf8')).to.equal('inside');
    // The temp dir is not shadowed: same files on both sides.
    writeFileSync(fence.path('from-host'), 'host');
    expect((await fence.exec(['cat', fence.path('from-host')])).stdout).to.equal('host');
  });

  it('lives in its host namespace, with a sysfs of its own and the cgroup v1 hierarchies mounted again', async () => {
    const fence = await createFence(tn);
    await fence.host.exec(['ip', 'link', 'add', 'ctt-probe0', 'type', 'veth', 'peer', 'name', 'ctt-probe1']);
    expect((await fence.exec(['ls', '/sys/class/net'])).stdout.split('\n')).to.include('ctt-probe0');
    expect(existsSync('/sys/class/net/ctt-probe0')).to.equal(false);
    const mounts = (await fence.exec(['cat', '/proc/self/mounts'])).stdout;
    for (const hierarchy of cgroupHierarchies().filter((h) => h !== '/sys/fs/cgroup/unified')) {
      expect(mounts, hierarchy).to.match(new RegExp(` ${hierarchy} cgroup `));
    }
    // crun refuses a hybrid layout whose cgroup2 has controllers: the unified mount stays out.
    expect(mounts).to.not.include(' cgroup2 ');
  });

  it("reaches the host's named network namespaces through netnsPath, not through its own /run/netns", async () => {
    const fence = await createFence(tn);
    const other = await tn.create('other');
    await other.exec(['ip', 'link', 'add', 'ctt-probe0', 'type', 'veth', 'peer', 'name', 'ctt-probe1']);
    const inside = fence.netnsPath(other);
    expect(inside).to.equal(fence.path('host-netns', other.name));
    expect((await fence.exec(['nsenter', `--net=${inside}`, 'ip', '-o', 'link'])).stdout).to.include('ctt-probe0');
    // The overlay over /run shows the file under the host's nsfs mount: an empty file, not a namespace.
    expect((await fence.exec(['nsenter', `--net=${other.path}`, 'true'], { reject: false })).exitCode).to.not.equal(0);
    expect(fence.netnsPath('/proc/1/ns/net')).to.equal('/proc/1/ns/net');
  });

  it('shares a directory of the temp dir at a path inside, hiding what the host has there', async () => {
    const fence = await createFence(tn);
    const shared = await fence.share('/etc/cni/net.d');
    expect(await fence.share('/etc/cni/net.d')).to.equal(shared);
    writeFileSync(join(shared, '10-test.conflist'), '{}');
    expect((await fence.exec(['ls', '/etc/cni/net.d'])).stdout.trim()).to.equal('10-test.conflist');
  });

  it('exec: ExecError on failure, reject: false, background commands that leave a child holding stdio', async () => {
    const fence = await createFence(tn);
    let caught: unknown;
    await fence.exec(['cat', '/nonexistent']).catch((err: unknown) => (caught = err));
    expect(String(caught)).to.match(/cat \/nonexistent failed: cat: \/nonexistent: No such file or directory/);
    expect((await fence.exec(['false'], { reject: false })).exitCode).to.equal(1);
    // setsid -f forks a child that keeps our stdio; with pipes this would hang until it exits.
    const started = Date.now();
    const out = await fence.exec(['setsid', '-f', 'sleep', '30'], { background: true });
    expect(out.exitCode).to.equal(0);
    expect(Date.now() - started).to.be.below(5000);
    expect(fence.leftovers()).to.have.length(1);
  });

  it('teardown after a failing body: kills daemons, orphans in their own mount namespace and cgroup members; removes cgroups, mounts and the temp dir', async () => {
    const own = new TestNamespaces();
    const made: { fence?: Awaited<ReturnType<typeof createFence>>; pids: number[] } = { pids: [] };
    const body = async (): Promise<void> => {
      const fence = await createFence(own);
      made.fence = fence;
      made.pids.push(fence.spawn(['sleep', '1000']).pid);
      // A daemon: reparented to PID 1 at once, found only by its mount namespace.
      await fence.exec(['setsid', '-f', 'sleep', '1001'], { background: true });
      // A container-like process: its own mount namespace, a parent outside the fence; found only by its cgroup.
      const orphan = spawnProcess(undefined, fence.argv(['unshare', '--mount', '--', 'sleep', '1002']));
      made.pids.push(orphan.pid);
      const dir = join('/sys/fs/cgroup/pids', fence.cgroupParent, 'c1');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cgroup.procs'), String(orphan.pid));
      made.pids.push(...fence.leftovers());
      throw new Error('body failed on purpose');
    };
    let caught: unknown;
    try {
      await body();
    } catch (err) {
      caught = err;
    } finally {
      await own.cleanup();
    }
    expect(String(caught)).to.include('body failed on purpose');
    expect(new Set(made.pids).size).to.be.at.least(3);
    expect(aliveProcesses(made.pids)).to.deep.equal([]);
    expect(made.fence!.traces()).to.deep.equal([]);
    await own.cleanup();
  });

  it('leaves nothing on the real host: files, mounts, cgroups, firewall, sysctls, links', async () => {
    await tn.cleanup();
    expect(hostChanges(hostBefore, await snapshotHost())).to.deep.equal([]);
  });
});
