/**
 * The coprocess executor against the real `ip` and `nft`. A throwaway
 * namespace plays the host (core cannot depend on the testkit, so it is made
 * here), and the executor is rooted in it with `hostNetns`.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { CoprocessExecutor, ExecError } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The processes this test process started, with their command lines. */
function children(): Array<{ pid: number; argv: string[] }> {
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (Number(ppid) !== process.pid) continue;
      out.push({ pid: Number(entry), argv: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

const coprocesses = (program: 'ip' | 'nft') => children().filter((c) => c.argv.includes(program) && (c.argv.includes('-batch') || c.argv.includes('-i')));

/** PIDs of our children holding an fd on the namespace at `path`. */
function holders(path: string): number[] {
  const ns = statSync(path);
  return children()
    .filter(({ pid }) => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => {
          try {
            const st = statSync(`/proc/${pid}/fd/${fd}`);
            return st.ino === ns.ino && st.dev === ns.dev;
          } catch {
            return false;
          }
        });
      } catch {
        return false;
      }
    })
    .map((c) => c.pid);
}

/** PIDs of every process inside the namespace at `path` (any process, not only ours: the set-up session's ip is a grandchild). */
function inside(path: string): number[] {
  const ns = statSync(path);
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const st = statSync(`/proc/${pid}/ns/net`);
        return st.ino === ns.ino && st.dev === ns.dev;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(2);
  }
  return Date.now() - started;
}

async function rejection(promise: Promise<unknown>): Promise<ExecError> {
  const err = await promise.then(() => expect.fail('expected the call to fail'), (e: unknown) => e);
  expect(err).to.be.instanceOf(ExecError);
  return err as ExecError;
}

describe('CoprocessExecutor (integration)', function () {
  this.timeout(60_000);
  const id = randomBytes(3).toString('hex');
  const host = `ctt-cpx-${id}`;
  const hostPath = `/run/netns/${host}`;
  const made = [host];
  let exec: CoprocessExecutor;

  const inHost = (...argv: string[]) => execFileSync('nsenter', [`--net=${hostPath}`, '--', ...argv], { encoding: 'utf8' });
  const hasLink = (name: string) => inHost('ip', '-o', 'link', 'show').split('\n').some((l) => l.split(/[:@ ]+/)[1] === name);
  const newNetns = (suffix: string) => {
    const name = `${host}-${suffix}`;
    execFileSync('ip', ['netns', 'add', name]);
    made.push(name);
    return { name, path: `/run/netns/${name}` };
  };

  before(async () => {
    execFileSync('ip', ['netns', 'add', host]);
    exec = new CoprocessExecutor({ hostNetns: hostPath });
    await exec.ip([['link', 'set', 'lo', 'up']]);
  });
  after(async () => {
    await exec.close();
    for (const name of made) {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // Deleted by its test already.
      }
    }
  });

  describe('ip', () => {
    it('runs host batches in one resident ip inside the namespace it was given', async () => {
      await exec.ip([['link', 'add', 'ctt-br0', 'type', 'bridge'], ['addr', 'add', '10.254.0.1/24', 'dev', 'ctt-br0'], ['link', 'set', 'ctt-br0', 'up']]);
      await exec.ip([['link', 'set', 'ctt-br0', 'mtu', '1400']]);
      expect(inHost('ip', '-o', '-4', 'addr', 'show', 'dev', 'ctt-br0')).to.contain('10.254.0.1/24');
      expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).to.not.contain('ctt-br0');
      expect(coprocesses('ip')).to.have.length(1);
    });

    it('stops a batch at the failing line: later lines are not applied, the error names the line and carries stderr', async () => {
      const err = await rejection(exec.ip([['link', 'add', 'ctt-a1', 'type', 'bridge'], ['link', 'set', 'ctt-nope', 'up'], ['link', 'add', 'ctt-a2', 'type', 'bridge']]));
      expect(err.line).to.equal(2);
      expect(err.argv).to.deep.equal(['nsenter', `--net=${hostPath}`, '--', 'ip', 'link', 'set', 'ctt-nope', 'up']);
      expect(err.stderr).to.equal('Cannot find device "ctt-nope"\nCommand failed -:2\n');
      expect(err).to.include({ exitCode: 1, kind: 'missing' });
      expect(hasLink('ctt-a1')).to.equal(true);
      expect(hasLink('ctt-a2')).to.equal(false);
    });

    it('in teardown mode runs every line, counts missing objects as done, and still reports anything else', async () => {
      await exec.ip([['link', 'del', 'ctt-gone'], ['link', 'del', 'ctt-a1'], ['link', 'del', 'ctt-gone2']], { ignoreMissing: true });
      expect(hasLink('ctt-a1')).to.equal(false);
      const err = await rejection(exec.ip([['link', 'del', 'ctt-gone'], ['link', 'add', 'ctt-br0', 'type', 'bridge']], { ignoreMissing: true }));
      expect(err).to.include({ line: 2, kind: 'exists' });
    });

    it('a killed ip coprocess fails the call in flight (never as success) and the next call works', async () => {
      const [before] = coprocesses('ip');
      const lines = Array.from({ length: 3_000 }, () => ['link', 'set', 'lo', 'up']);
      const pending = exec.ip(lines);
      await sleep(20);
      process.kill(before!.pid, 'SIGKILL');
      const err = await rejection(pending);
      expect(err).to.include({ exitCode: 137, kind: 'other' });
      expect(err.line).to.be.within(1, 3_000);
      expect(err.message).to.match(/ended with status 137 during this line; lines 1-\d+ were applied, this one may have been/);
      await exec.ip([['link', 'add', 'ctt-k1', 'type', 'bridge']]);
      expect(hasLink('ctt-k1')).to.equal(true);
      expect(coprocesses('ip').map((c) => c.pid)).to.not.include(before!.pid);
    });

    it('serialises 50 concurrent batches through one coprocess, all applied', async () => {
      const names = Array.from({ length: 50 }, (_, i) => `ctt-c${i}`);
      await Promise.all(names.map((n) => exec.ip([['link', 'add', n, 'type', 'bridge'], ['link', 'set', n, 'up']])));
      const up = inHost('ip', '-o', 'link', 'show', 'up');
      for (const n of names) expect(up).to.contain(`: ${n}:`);
      expect(coprocesses('ip')).to.have.length(1);
    });

    it('never gives a namespace-naming batch to the host coprocess: the namespace and its veth die with netns delete', async () => {
      const c = newNetns('c1');
      await exec.ip([['link', 'add', 'ctt-vh0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.path], ['link', 'set', 'ctt-vh0', 'master', 'ctt-br0'], ['link', 'set', 'ctt-vh0', 'up']]);
      await exec.ip([['addr', 'add', '10.254.0.2/24', 'dev', 'eth0'], ['link', 'set', 'eth0', 'up']], { netns: c.path });
      expect(execFileSync('nsenter', [`--net=${c.path}`, '--', 'ip', '-o', 'addr'], { encoding: 'utf8' })).to.contain('10.254.0.2/24');
      expect(holders(c.path)).to.deep.equal([]);
      execFileSync('ip', ['netns', 'delete', c.name]);
      const ms = await until('ctt-vh0 gone after netns delete', () => !hasLink('ctt-vh0'), 2_000);
      console.log(`      host end of the veth gone ${ms} ms after ip netns delete`);
    });

    it('netns add and delete go through the host coprocess without it keeping the namespace', async () => {
      const name = `${host}-c4`;
      made.push(name);
      await exec.ip([['netns', 'add', name]]);
      await exec.ip([['link', 'add', 'ctt-after', 'type', 'bridge']]);
      expect(hasLink('ctt-after')).to.equal(true);
      expect(holders(`/run/netns/${name}`)).to.deep.equal([]);
      await exec.ip([['netns', 'delete', name]]);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).to.not.contain(name);
    });

    it('(control) the trap is real: a resident ip told about a namespace keeps it, and its veth, after netns delete', async () => {
      const c = newNetns('c2');
      const raw = spawn('nsenter', [`--net=${hostPath}`, '--', 'ip', '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
      raw.stdin.write(`link add ctt-vh1 type veth peer name eth0 netns ${c.path}\n`);
      await until('ctt-vh1 made', () => hasLink('ctt-vh1'), 2_000);
      execFileSync('ip', ['netns', 'delete', c.name]);
      await sleep(300);
      expect(hasLink('ctt-vh1')).to.equal(true);
      raw.stdin.end();
      await new Promise((resolve) => raw.on('close', resolve));
      await until('ctt-vh1 gone once ip exited', () => !hasLink('ctt-vh1'), 2_000);
    });
  });

  describe('namespace set-up sessions', () => {
    const pinAt = (suffix: string) => {
      const name = `${host}-${suffix}`;
      made.push(name);
      return { name, path: `/run/netns/${name}` };
    };
    const inNetns = (path: string, ...argv: string[]) => execFileSync('nsenter', [`--net=${path}`, '--', ...argv], { encoding: 'utf8' });

    it('makes a namespace with lo up, pins it, and configures it without a spawn: sysctls and batches inside, host lines naming it through the host ip', async () => {
      const c = pinAt('s1');
      const hostIp = coprocesses('ip').map((p) => p.pid);
      const spare = await exec.spareNetns();
      await spare.pin(c.path);
      expect(inNetns(c.path, 'ip', '-o', 'link', 'show', 'lo')).to.contain('UP');
      expect(inside(c.path)).to.have.length(2);
      await exec.ip([['link', 'add', 'ctt-vs1', 'master', 'ctt-br0', 'up', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.path]]);
      await exec.run(['sysctl', '-eqw', 'net/ipv6/conf/eth0/disable_ipv6=1'], { netns: c.path });
      await exec.ip([['addr', 'add', '10.254.0.3/24', 'dev', 'eth0'], ['link', 'set', 'eth0', 'up']], { netns: c.path });
      expect(inNetns(c.path, 'cat', '/proc/sys/net/ipv6/conf/eth0/disable_ipv6').trim()).to.equal('1');
      expect(inNetns(c.path, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0')).to.contain('10.254.0.3/24');
      expect(coprocesses('ip').map((p) => p.pid)).to.deep.equal(hostIp);
      await exec.closeNetns(c.path);
      await until('the session processes gone', () => inside(c.path).length === 0, 2_000);
      expect(holders(c.path)).to.deep.equal([]);
      execFileSync('ip', ['netns', 'delete', c.name]);
      await until('ctt-vs1 gone after netns delete', () => !hasLink('ctt-vs1'), 2_000);
    });

    it('reports a sysctl the kernel lacks as sysctl would, skips it when told to, and names a failing line inside', async () => {
      const c = pinAt('s2');
      await (await exec.spareNetns()).pin(c.path);
      const err = await rejection(exec.run(['sysctl', '-qw', 'net/ipv4/conf/nope0/forwarding=1'], { netns: c.path }));
      expect(err.message).to.contain('cannot stat /proc/sys/net/ipv4/conf/nope0/forwarding');
      expect(err.kind).to.equal('missing');
      await exec.run(['sysctl', '-eqw', 'net/ipv4/conf/nope0/forwarding=1', 'net/ipv4/conf/lo/forwarding=1'], { netns: c.path });
      expect(inNetns(c.path, 'cat', '/proc/sys/net/ipv4/conf/lo/forwarding').trim()).to.equal('1');
      const line = await rejection(exec.ip([['link', 'set', 'lo', 'up'], ['link', 'set', 'ctt-nope', 'up']], { netns: c.path }));
      expect(line).to.include({ line: 2, kind: 'missing' });
      await exec.closeNetns(c.path);
    });

    it('a spare nobody pins ends with its session: no pin, no process, nothing left', async () => {
      const spare = await exec.spareNetns();
      const holder = children().find((c) => c.argv[0] === 'sh' && c.argv[1] === '-c' && c.argv[2]?.startsWith('ip -force -batch'));
      expect(holder, 'the holder runs').to.not.equal(undefined);
      const ns = statSync(`/proc/${holder!.pid}/ns/net`).ino;
      await spare.discard();
      await until('nothing inside the spare', () => readdirSync('/proc').every((pid) => {
        try {
          return statSync(`/proc/${pid}/ns/net`).ino !== ns;
        } catch {
          return true;
        }
      }), 2_000);
    });

    it('refuses a pin that exists, ending the spare', async () => {
      const c = newNetns('s3');
      const err = await (await exec.spareNetns()).pin(c.path).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ExecError);
      expect((err as ExecError).message).to.contain('netns attach');
      await exec.ip([['link', 'set', 'lo', 'up']], { netns: c.path });
      expect(holders(c.path)).to.deep.equal([]);
    });

    it('ends the sessions it still has on close (a namespace left mid-set-up)', async () => {
      const spare = new CoprocessExecutor({ hostNetns: hostPath });
      const c = pinAt('s4');
      await (await spare.spareNetns()).pin(c.path);
      expect(inside(c.path)).to.have.length(2);
      await spare.close();
      await until('the session processes gone', () => inside(c.path).length === 0, 2_000);
    });
  });

  describe('nft', () => {
    it('applies a multi-line script as one transaction through the coprocess; errors read as nft -f - prints them', async () => {
      await exec.nft('add table inet ctt\nadd chain inet ctt c\nadd set inet ctt s { type inet_service; }\n');
      const err = await rejection(exec.nft('add element inet ctt s { 80 }\nadd chain inet ctt d\nadd rule inet ctt nosuch accept\n'));
      expect(err.stderr).to.match(/^\/dev\/stdin:3:\d+-\d+: Error: Could not process rule: No such file or directory$/m);
      expect(err.stderr).to.not.match(/included from|script\.nft/);
      expect(err).to.include({ kind: 'missing', exitCode: 1 });
      const table = inHost('nft', 'list', 'table', 'inet', 'ctt');
      expect(table).to.contain('chain c');
      expect(table).to.not.contain('chain d');
      expect(table).to.not.contain('elements');
      expect(coprocesses('nft')).to.have.length(1);
    });

    it('sees what other nft processes changed', async () => {
      inHost('nft', 'add', 'element', 'inet', 'ctt', 's', '{ 81 }');
      await exec.nft('delete element inet ctt s { 81 }\n');
      expect(inHost('nft', 'list', 'set', 'inet', 'ctt', 's')).to.not.contain('81');
    });

    it('serialises 50 concurrent scripts, all applied', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => exec.nft(`add element inet ctt s { ${1000 + i} }\n`)));
      const set = inHost('nft', '-j', 'list', 'set', 'inet', 'ctt', 's');
      expect((JSON.parse(set) as { nftables: Array<{ set?: { elem?: number[] } }> }).nftables.find((o) => o.set)!.set!.elem).to.have.length(50);
    });

    it('a killed nft coprocess never leaves half a transaction, and the next call works', async () => {
      const [before] = coprocesses('nft');
      const ports = Array.from({ length: 5_000 }, (_, i) => 20_000 + i);
      const pending = exec.nft(`add element inet ctt s { ${ports.join(', ')} }\nadd element inet ctt s { 19999 }\n`).then(() => 'applied', (e: unknown) => e);
      await sleep(1);
      process.kill(before!.pid, 'SIGKILL');
      const outcome = await pending;
      const set = inHost('nft', 'list', 'set', 'inet', 'ctt', 's');
      const present = ['20000', '24999', '19999'].filter((p) => set.includes(p));
      console.log(`      killed ${outcome === 'applied' ? 'after the reply' : 'mid-request'}: ${present.length ? 'all' : 'none'} of the transaction applied`);
      if (outcome === 'applied') expect(present).to.have.length(3);
      else {
        expect(outcome).to.be.instanceOf(ExecError);
        expect(present.length === 0 || present.length === 3, `all or nothing, found ${present.join(',')}`).to.equal(true);
      }
      await exec.nft('add element inet ctt s { 82 }\n');
      expect(inHost('nft', 'list', 'set', 'inet', 'ctt', 's')).to.contain('82');
      expect(coprocesses('nft').map((c) => c.pid)).to.not.include(before!.pid);
    });

    it('spawns nft -f - in the namespace a call names', async () => {
      const c = newNetns('c3');
      await exec.nft('add table inet ctt-other\n', { netns: c.path });
      expect(execFileSync('nsenter', [`--net=${c.path}`, '--', 'nft', 'list', 'tables'], { encoding: 'utf8' })).to.contain('ctt-other');
      expect(inHost('nft', 'list', 'tables')).to.not.contain('ctt-other');
    });
  });

  describe('spawned commands', () => {
    it('run and iptablesRestore go to the host namespace given', async () => {
      expect((await exec.run(['ip', '-o', 'link', 'show', 'ctt-br0'])).stdout).to.contain('ctt-br0');
      await exec.iptablesRestore('*filter\n:CTT-A - [0:0]\nCOMMIT\n');
      expect(inHost('iptables-save', '-t', 'filter')).to.contain(':CTT-A');
      const err = await rejection(exec.run(['ip', 'link', 'show', 'ctt-nope']));
      expect(err.kind).to.equal('missing');
    });
  });

  describe('close', () => {
    it('stops every coprocess it started and refuses later calls', async () => {
      expect(coprocesses('ip')).to.have.length(1);
      expect(coprocesses('nft')).to.have.length(1);
      await exec.close();
      expect(coprocesses('ip')).to.deep.equal([]);
      expect(coprocesses('nft')).to.deep.equal([]);
      const err = await exec.ip([['link', 'set', 'lo', 'up']]).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'INVALID_STATE');
    });
  });
});
