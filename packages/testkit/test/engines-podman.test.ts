import { expect } from 'chai';
import { withCgroupParent } from '../src/engines/podman.js';

describe('engines: podman cgroup parent', () => {
  it('adds --cgroup-parent after the subcommands that take it', () => {
    expect(withCgroupParent(['run', '-d', 'img'], '/f/podman')).to.deep.equal(['run', '--cgroup-parent=/f/podman', '-d', 'img']);
    expect(withCgroupParent(['container', 'create', 'img'], '/p')).to.deep.equal(['container', 'create', '--cgroup-parent=/p', 'img']);
    expect(withCgroupParent(['pod', 'create'], '/p')).to.deep.equal(['pod', 'create', '--cgroup-parent=/p']);
  });

  it("keeps the caller's own and leaves other subcommands alone", () => {
    expect(withCgroupParent(['run', '--cgroup-parent', '/mine', 'img'], '/p')).to.deep.equal(['run', '--cgroup-parent', '/mine', 'img']);
    expect(withCgroupParent(['run', '--cgroup-parent=/mine', 'img'], '/p')).to.deep.equal(['run', '--cgroup-parent=/mine', 'img']);
    expect(withCgroupParent(['ps', '-a'], '/p')).to.deep.equal(['ps', '-a']);
    expect(withCgroupParent(['pod', 'ps'], '/p')).to.deep.equal(['pod', 'ps']);
  });
});
