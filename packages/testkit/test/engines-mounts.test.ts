import { expect } from 'chai';
import { fenceDirProblem, fenceMountPlan, overlayLayers, parseMounts } from '../src/engines/mounts.js';

// Trimmed from this machine's /proc/self/mounts: cgroup v1 "hybrid" with a cgroup2 "unified" mount.
const HYBRID = `/dev/vda / ext4 rw,relatime 0 0
sysfs /sys sysfs rw,relatime 0 0
tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
nsfs /run/netns/with\\040space nsfs rw 0 0
`;

describe('engines: fence mount plan', () => {
  it('parses /proc/self/mounts, decoding octal escapes', () => {
    const mounts = parseMounts(HYBRID);
    expect(mounts).to.have.length(8);
    expect(mounts[3]).to.deep.equal({ source: 'cgroup', target: '/sys/fs/cgroup/cpu', type: 'cgroup', options: 'rw,relatime,cpu' });
    expect(mounts[7]!.target).to.equal('/run/netns/with space');
  });

  it('puts every overlay layer inside the temp dir', () => {
    expect(overlayLayers('/tmp/ctt-fence-x').map((l) => [l.lower, l.upper, l.work])).to.deep.equal([
      ['/etc', '/tmp/ctt-fence-x/overlay/etc/upper', '/tmp/ctt-fence-x/overlay/etc/work'],
      ['/opt', '/tmp/ctt-fence-x/overlay/opt/upper', '/tmp/ctt-fence-x/overlay/opt/work'],
      ['/run', '/tmp/ctt-fence-x/overlay/run/upper', '/tmp/ctt-fence-x/overlay/run/work'],
      ['/var', '/tmp/ctt-fence-x/overlay/var/upper', '/tmp/ctt-fence-x/overlay/var/work'],
    ]);
  });

  it('hybrid host: host netns kept reachable, overlays, fresh sysfs, v1 hierarchies again, no unified mount, symlinks kept, all with -n', () => {
    const plan = fenceMountPlan('/tmp/f', parseMounts(HYBRID), [{ path: '/sys/fs/cgroup/cpuacct', target: 'cpu' }], true);
    expect(plan).to.deep.equal([
      ['mount', '-n', '--rbind', '/run/netns', '/tmp/f/host-netns'],
      ['mount', '-n', '-t', 'overlay', 'overlay', '-o', 'lowerdir=/etc,upperdir=/tmp/f/overlay/etc/upper,workdir=/tmp/f/overlay/etc/work', '/etc'],
      ['mount', '-n', '-t', 'overlay', 'overlay', '-o', 'lowerdir=/opt,upperdir=/tmp/f/overlay/opt/upper,workdir=/tmp/f/overlay/opt/work', '/opt'],
      ['mount', '-n', '-t', 'overlay', 'overlay', '-o', 'lowerdir=/run,upperdir=/tmp/f/overlay/run/upper,workdir=/tmp/f/overlay/run/work', '/run'],
      ['mount', '-n', '-t', 'overlay', 'overlay', '-o', 'lowerdir=/var,upperdir=/tmp/f/overlay/var/upper,workdir=/tmp/f/overlay/var/work', '/var'],
      ['umount', '-n', '-l', '/sys'],
      ['mount', '-n', '-t', 'sysfs', 'sysfs', '/sys'],
      ['mount', '-n', '-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', '/sys/fs/cgroup'],
      ['mkdir', '-p', '/sys/fs/cgroup/cpu', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/systemd'],
      ['mount', '-n', '-t', 'cgroup', '-o', 'rw,relatime,cpu', 'cgroup', '/sys/fs/cgroup/cpu'],
      ['mount', '-n', '-t', 'cgroup', '-o', 'rw,relatime,memory', 'cgroup', '/sys/fs/cgroup/memory'],
      ['mount', '-n', '-t', 'cgroup', '-o', 'rw,relatime,name=systemd', 'cgroup', '/sys/fs/cgroup/systemd'],
      ['ln', '-s', 'cpu', '/sys/fs/cgroup/cpuacct'],
    ]);
    for (const argv of plan.filter((a) => a[0] === 'mount' || a[0] === 'umount')) expect(argv[1]).to.equal('-n');
  });

  it('pure cgroup v2 host: one cgroup2 mount over the fresh sysfs', () => {
    const plan = fenceMountPlan('/tmp/f', parseMounts('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nsdelegate 0 0\n'), [], false);
    expect(plan.slice(4)).to.deep.equal([
      ['umount', '-n', '-l', '/sys'],
      ['mount', '-n', '-t', 'sysfs', 'sysfs', '/sys'],
      ['mount', '-n', '-t', 'cgroup2', '-o', 'rw,nosuid,nsdelegate', 'cgroup2', '/sys/fs/cgroup'],
    ]);
  });

  it('refuses temp dirs that overlay options cannot carry or that the fence itself shadows', () => {
    expect(fenceDirProblem('/tmp/ctt-fence-Ab12Cd')).to.equal(undefined);
    expect(fenceDirProblem('/tmp/a,b')).to.match(/comma/);
    expect(fenceDirProblem('/tmp/a:b')).to.match(/colon/);
    expect(fenceDirProblem('/var/tmp/ctt-fence-x')).to.match(/under \/var/);
    expect(fenceDirProblem('/run/user/0/x')).to.match(/under \/run/);
    expect(fenceDirProblem('/variable/x')).to.equal(undefined);
  });
});
