/**
 * End to end: ctrnetd itself. Many clients at once; bad requests straight to
 * its socket; a non-root user kept out; and the firewall healing itself
 * after a flush. (The rest of the e2e suite also runs through the daemon:
 * `CTRNET_TEST_DAEMON=1`, including the crash matrix, which then SIGKILLs
 * the daemon at every crash point.)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { configFingerprint } from '@ctrnet/core/api';
import { canConnect, createCtrnetEnv, ctrnetCli, execIn, httpGet, tempStateDir, useTestNamespaces, type CtrnetEnv } from '@ctrnet/testkit';
import { HOST_LAN_IP, createLan } from './helpers/lan.js';
import { inspect, ipOf, networks, ps } from './helpers/state.js';

const SOCKET = 'ctrnetd.sock';

/** A request straight to the socket, as a client of the daemon's own config would send it (so it gets past the fingerprint check). */
function raw(socket: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const fingerprint = configFingerprint({ env: {} });
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { 'content-type': 'application/json', 'x-ctrnet-config': fingerprint } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Inodes of the network namespaces the children of `pid` are in, other than its own (the daemon's spares: a holder in each). */
function heldBy(pid: number): number[] {
  const own = statSync(`/proc/${pid}/ns/net`).ino;
  const inodes = new Set<number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]) !== pid) continue;
      const ino = statSync(`/proc/${entry}/ns/net`).ino;
      if (ino !== own) inodes.add(ino);
    } catch {
      // Gone while we looked.
    }
  }
  return [...inodes];
}

/** Whether any process is in the network namespace of inode `ino`. */
function inUse(ino: number): boolean {
  return readdirSync('/proc').some((entry) => {
    try {
      return /^\d+$/.test(entry) && statSync(`/proc/${entry}/ns/net`).ino === ino;
    } catch {
      return false;
    }
  });
}

/** The /run/netns pins of these namespaces. */
function pinned(inodes: readonly number[]): string[] {
  return readdirSync('/run/netns').filter((name) => {
    try {
      return inodes.includes(statSync(`/run/netns/${name}`).ino);
    } catch {
      return false;
    }
  });
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

async function daemonPid(env: CtrnetEnv): Promise<number> {
  return Number(readFileSync(join(env.stateDir, 'ctrnetd.pid'), 'utf8').trim());
}

/** What a bad request must not change. */
async function snapshot(env: CtrnetEnv): Promise<string> {
  return JSON.stringify({ ps: await ps(env), networks: await networks(env) });
}

describe('ctrnetd (e2e)', function () {
  this.timeout(240_000);
  const tn = useTestNamespaces();

  it('starts on a state dir no command has used yet, says so in status, and stops', async () => {
    const host = await tn.createHost();
    const fresh = ctrnetCli(host, join(tempStateDir(tn), 'new'), { env: { CTRNET_DAEMON: 'auto' } });
    tn.defer(async () => void (await fresh(['daemon', 'stop'])));
    const started = await fresh(['daemon', 'start']);
    expect(started.exitCode, started.stderr).to.equal(0);
    expect((await fresh(['daemon', 'status'])).stdout).to.match(/^ctrnetd .* is running \(pid \d+\)/);
    expect((await fresh(['system', 'info'])).stdout).to.match(/Served by: +ctrnetd/);
    expect((await fresh(['daemon', 'stop'])).stdout).to.match(/^ctrnetd stopped/);
    expect((await fresh(['daemon', 'status'])).exitCode).to.equal(1);
  });

  it('serves 50 clients at once: 50 successes, 50 distinct addresses, and its memory settles', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true });
    const pid = await daemonPid(env);
    const wave = async (tag: string, n: number) => {
      const runs = await Promise.all(Array.from({ length: n }, (_, i) => env.cli(['run', '-d', '--name', `${tag}${i}`, '--', 'sleep', '300'])));
      return runs;
    };
    const clear = (tag: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => env.ok('rm', '-f', `${tag}${i}`)));
    // Warm up with three waves of the same size: the first waves raise the heap's high-water mark, which RSS keeps
    // (measured: +28, +20, then +1 MiB per wave of 20; after one wave of 50, +17 MiB more on a loaded machine; with
    // set-up sessions, waves of 50 gave +9, +10, +3, +3, +2, +1 MiB while the heap itself grew 0.6 KiB a container).
    for (const tag of ['warm', 'warmer', 'warmest']) {
      await wave(tag, 50);
      await clear(tag, 50);
    }
    const before = rssKiB(pid);
    const runs = await wave('c', 50);
    expect(runs.filter((r) => r.exitCode !== 0).map((r) => r.stderr.trim())).to.deep.equal([]);
    const ips = (await ps(env)).map((c) => c.IPs[0]);
    expect(new Set(ips).size).to.equal(50);
    await clear('c', 50);
    const after = rssKiB(pid);
    expect(after - before, `RSS ${before} KiB -> ${after} KiB`).to.be.lessThan(10 * 1024);
    expect(await ps(env)).to.deep.equal([]);
  });

  it('answers bad requests with a 4xx and one error line, changes nothing, and keeps serving', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true });
    await env.ok('run', '-d', '--name', 'keep', '--', 'sleep', '300');
    const socket = join(env.stateDir, SOCKET);
    const before = await snapshot(env);
    const cases: [string, () => Promise<{ status: number; body: string }>, number][] = [
      ['malformed JSON', () => raw(socket, 'POST', '/v1/container.run', '{"spec": {'), 400],
      ['an unknown field', () => raw(socket, 'POST', '/v1/container.remove', JSON.stringify({ name: 'keep', force: true, everything: true })), 400],
      ['a wrong type', () => raw(socket, 'POST', '/v1/container.remove', JSON.stringify({ name: 7, force: 'yes' })), 400],
      ['a 10 MiB body', () => raw(socket, 'POST', '/v1/container.remove', JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024) })), 413],
      ['an unknown route', () => raw(socket, 'GET', '/containers/json'), 404],
      ['an unknown method', () => raw(socket, 'POST', '/v1/container.destroyEverything', '{}'), 400],
    ];
    for (const [what, send, status] of cases) {
      const res = await send();
      expect(res.status, what).to.equal(status);
      const message = (JSON.parse(res.body) as { error: { message: string } }).error.message;
      expect(message, what).to.be.a('string').and.not.match(/\n/);
    }
    // Half a request, then silence: the daemon cuts the client off and serves others meanwhile.
    const stalled = connect(socket);
    stalled.write('POST /v1/container.remove HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":');
    const closed = new Promise<string>((resolve) => {
      let text = '';
      stalled.on('data', (c: Buffer) => (text += c.toString()));
      stalled.on('close', () => resolve(text));
    });
    expect(await env.ok('ps')).to.contain('keep');
    expect(await closed).to.match(/^HTTP\/1\.1 408/);
    expect(await snapshot(env)).to.equal(before);
    expect(await env.ok('system', 'info')).to.contain('Served by:     ctrnetd');
  });

  it('keeps users other than root out of its socket', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true });
    const socket = join(env.stateDir, SOCKET);
    expect((statSync(socket).mode & 0o777).toString(8)).to.equal('600');
    const probe = `require('net').connect(${JSON.stringify(socket)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', probe], { encoding: 'utf8' });
    // The state dir is 0700 too, so a non-root user cannot even reach the socket's directory.
    expect(r.stdout.trim()).to.be.oneOf(['EACCES', 'EPERM']);
  });

  it('keeps spare namespaces for the next runs, and a SIGKILLed daemon leaks none of them: they end with it', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true });
    const pid = await daemonPid(env);
    let spares: number[] = [];
    for (let i = 0; i < 200 && spares.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 25));
      spares = heldBy(pid);
    }
    expect(spares, 'the pool (netnsPool: 4 by default) is full').to.have.length(4);
    expect(pinned(spares), 'spares are not pinned').to.deep.equal([]);
    await env.ok('run', '-d', '--name', 'first', '--', 'sleep', 'infinity');
    const first = statSync((await inspect(env, 'first')).NetworkSettings.SandboxKey).ino;
    expect(spares, 'the run took a spare').to.include(first);
    const rest = [...heldBy(pid), ...spares].filter((ino) => ino !== first);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && rest.some(inUse); i++) await new Promise((r) => setTimeout(r, 25));
    expect(rest.filter(inUse), 'no process left in a spare').to.deep.equal([]);
    expect(pinned(rest), 'and no pin').to.deep.equal([]);
    expect(inUse(first), "the container's namespace is its own").to.equal(true);
  });

  for (const backend of ['nftables', 'iptables'] as const) {
    it(`heals the ${backend} firewall within a second of a flush`, async () => {
      const env = await createCtrnetEnv(tn, { daemon: true, env: { CTRNET_PORT_BACKEND: backend } });
      const lan = await createLan(tn, env.host);
      await env.ok('run', '-d', '--name', 'web', '-p', '8080:80', '--', process.execPath, '-e', "require('http').createServer((q,s)=>s.end('web')).listen(80)");
      const ip = await ipOf(env, 'web');
      for (let i = 0; i < 100 && !(await canConnect(env.host, ip, 80, { timeoutMs: 200 })); i++) await new Promise((r) => setTimeout(r, 50));
      expect((await httpGet(lan, `http://${HOST_LAN_IP}:8080/`)).body).to.equal('web');
      const flush = backend === 'nftables' ? [['nft', 'flush', 'ruleset']] : [['iptables', '-F'], ['iptables', '-t', 'nat', '-F'], ['iptables', '-t', 'raw', '-F']];
      const flushed = Date.now();
      for (const argv of flush) await execIn(env.host, argv);
      let healedAfter: number | undefined;
      while (Date.now() - flushed < 3000) {
        if (await canConnect(lan, HOST_LAN_IP, 8080, { timeoutMs: 100 })) {
          healedAfter = Date.now() - flushed;
          break;
        }
      }
      expect(healedAfter, 'the published port answers again').to.not.equal(undefined);
      expect(healedAfter!, `healed after ${healedAfter} ms`).to.be.at.most(1000);
      expect((await httpGet(lan, `http://${HOST_LAN_IP}:8080/`)).body).to.equal('web');
      expect(await canConnect(lan, ip, 80, { timeoutMs: 700 }), 'direct routing to the container is dropped again').to.equal(false);
      expect(env.daemon!.log()).to.contain('re-applied the firewall');
    });
  }
});
