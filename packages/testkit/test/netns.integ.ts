import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ExecError } from '@ctrnet/core';
import { useTestNamespaces } from '../src/index.js';

/** Names from `ip netns list` (lines may carry "(id: N)"). */
function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

describe('TestNamespaces (real namespaces)', () => {
  const tn = useTestNamespaces();

  it('create() adds a uniquely named namespace with loopback up', async () => {
    const ns = await tn.create('lo');
    expect(ns.name).to.match(/^ctt-lo-[0-9a-f]{6}$/);
    expect(ns.path).to.equal(`/run/netns/${ns.name}`);
    expect(netnsList()).to.include(ns.name);
    const link = await ns.exec(['ip', '-o', 'link', 'show', 'lo']);
    expect(link.stdout).to.match(/state UNKNOWN|UP/);
    const addr = await ns.exec(['ip', '-o', '-4', 'addr', 'show', 'lo']);
    expect(addr.stdout).to.include('127.0.0.1/8');
  });

  it('createHost() turns on IPv4 forwarding inside the namespace only', async () => {
    const before = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const host = await tn.createHost();
    expect(host.name).to.match(/^ctt-host-[0-9a-f]{6}$/);
    const inside = await host.exec(['cat', '/proc/sys/net/ipv4/ip_forward']);
    expect(inside.stdout.trim()).to.equal('1');
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).to.equal(before);
  });

  it('exec() rejects with an ExecError carrying argv, exit code and stderr', async () => {
    const ns = await tn.create('err');
    let caught: unknown;
    await ns.exec(['ip', 'link', 'show', 'no-such-dev']).catch((err: unknown) => (caught = err));
    expect(caught).to.be.instanceOf(ExecError);
    const err = caught as ExecError;
    expect(err.argv).to.deep.equal(['nsenter', `--net=${ns.path}`, '--', 'ip', 'link', 'show', 'no-such-dev']);
    expect(err.exitCode).to.not.equal(0);
    expect(err.stderr).to.match(/does not exist/);
    expect(err.message).to.include('ip link show no-such-dev');
  });

  it('exec() with reject:false resolves with the exit code, and passes input', async () => {
    const ns = await tn.create('nr');
    const failed = await ns.exec(['ip', 'link', 'show', 'no-such-dev'], { reject: false });
    expect(failed.exitCode).to.not.equal(0);
    const echoed = await ns.exec(['cat'], { input: 'from stdin' });
    expect(echoed.stdout).to.equal('from stdin');
  });

  it('spawn() runs the program itself inside the namespace (PID is the program, not nsenter)', async () => {
    const ns = await tn.create('sp');
    const proc = tn.spawn(ns, ['sleep', '30']);
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(`/proc/${proc.pid}/comm`, 'utf8').trim()).to.equal('sleep');
    const pids = execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' });
    expect(pids.split('\n')).to.include(String(proc.pid));
  });

  it('adopt() deletes a namespace made elsewhere at cleanup', async () => {
    const name = `ctt-adopt-${process.pid}`;
    execFileSync('ip', ['netns', 'add', name]);
    tn.adopt(name);
    await tn.cleanup();
    expect(netnsList()).to.not.include(name);
  });
});
