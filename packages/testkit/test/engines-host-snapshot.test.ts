import { expect } from 'chai';
import { hostChanges, type HostSnapshot } from '../src/index.js';

const base: HostSnapshot = {
  files: { '/run/docker': ['plugins'], '/etc/': ['hosts'] },
  mounts: ['proc /proc proc rw 0 0'],
  cgroups: ['/sys/fs/cgroup/pids/process_api'],
  netns: [],
  firewall: { 'iptables-save': '', 'nft list ruleset': '' },
  sysctls: { 'net/ipv4/ip_forward': '0' },
  links: ['eth0', 'lo'],
};

describe('engines: host snapshot comparison', () => {
  it('reports nothing for equal snapshots', () => {
    expect(hostChanges(base, structuredClone(base))).to.deep.equal([]);
  });

  it('names every kind of change', () => {
    const after: HostSnapshot = {
      files: { '/run/docker': ['plugins', 'plugins/x.sock'], '/etc/': ['hosts', 'docker'], '/var/lib/cni': ['networks'] },
      mounts: [...base.mounts, 'overlay /run overlay rw 0 0'],
      cgroups: [...base.cgroups, '/sys/fs/cgroup/pids/libpod_parent'],
      netns: ['netns-1234'],
      firewall: { 'iptables-save': '*nat\n:DOCKER - [0:0]', 'nft list ruleset': '' },
      sysctls: { 'net/ipv4/ip_forward': '1' },
      links: ['docker0', 'eth0', 'lo'],
    };
    expect(hostChanges(base, after)).to.deep.equal([
      'in /run/docker: added plugins/x.sock',
      'in /etc/: added docker',
      'file: created /var/lib/cni',
      'mount: added overlay /run overlay rw 0 0',
      'cgroup: added /sys/fs/cgroup/pids/libpod_parent',
      'netns: added netns-1234',
      'link: added docker0',
      'firewall: iptables-save changed:\n*nat\n:DOCKER - [0:0]',
      'sysctl: net/ipv4/ip_forward 0 -> 1',
    ]);
    expect(hostChanges(after, base)).to.include('file: deleted /var/lib/cni');
  });
});
