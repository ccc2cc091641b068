/**
 * End to end: crash safety. Each operation is run with CTRNET_CRASH_AFTER=N
 * (the process doing the work SIGKILLs itself after its N-th crash point:
 * the CLI, or ctrnetd when the suite runs through the daemon) for N = 1, 2,
 * ... until it completes. After every crash `system gc` must leave the kernel
 * and the store consistent (no leaked veth, bridge, namespace, DNAT rule,
 * address or port reservation, process), the next `run` must work, and a
 * second gc must find nothing to clean. Then gc must also notice containers
 * whose process (and namespace) vanished behind ctrnet's back.
 */
import { expect } from 'chai';
import { TestNamespaces, createCtrnetEnv, ctrnetCli, execIn, throughDaemon, useTestNamespaces, type CtrnetEnv, type ExecOutput } from '@ctrnet/testkit';
import { audit, inspect, ipOf, ps, type AuditOptions } from './helpers/state.js';

/** A `sleep` duration no other process on the machine uses, so the audit can count one case's container processes. */
const marker = (k: number): string => `300.${process.pid}${k}`;
const PORT = 18081;
const SPARE_PORT = 18082;
const SUBNET = '10.66.0.0/24';
const watch = (processMarker: string): AuditOptions => ({ ports: [PORT, SPARE_PORT], processMarker, subnets: [SUBNET] });
/** More crash points than any operation has; reaching it means the loop never saw a clean exit. */
const MAX_POINTS = 40;
/** Crash loops run side by side, each in its own installation: much of a loop's time is spent waiting on child processes. */
const PARALLEL = 3;

/** What a case's functions get: the installation and the command word that marks its processes. */
interface Ctx {
  env: CtrnetEnv;
  marker: string;
}

/** One operation to crash: how to prepare the installation, the command, and the follow-up that must work. */
interface CrashCase {
  title: string;
  /** $CTRNET_PORT_BACKEND for the installation; default: auto (nftables). */
  backend?: 'iptables';
  setup(c: Ctx): Promise<void>;
  command(c: Ctx): string[];
  /** After gc: show the installation still works (the next run, a re-create). */
  next(c: Ctx): Promise<void>;
}

const victim = (c: Ctx, ...opts: string[]) => ['run', '-d', '--name', 'victim', ...opts, '--', 'sleep', c.marker];

/** Run a container `next` on `net`; on the victim's address and port when those must be free again. */
async function runNext({ env, marker: m }: Ctx, net: string, victimIp: string): Promise<void> {
  const victimRuns = (await ps(env)).some((c) => c.Name === 'victim' && c.Status === 'running');
  // --ip is for user-defined networks only (Docker's rule); on the default bridge the lowest free address is the victim's again.
  const where = victimRuns ? ['-p', `${SPARE_PORT}:80`] : [...(net === 'bridge' ? [] : ['--ip', victimIp]), '-p', `${PORT}:80`];
  await env.ok('run', '-d', '--name', 'next', '--net', net, ...where, '--', 'sleep', m);
  if (!victimRuns) expect(await ipOf(env, 'next')).to.equal(victimIp);
}

const CASES: CrashCase[] = [
  {
    title: 'run -d on the default bridge with -p',
    setup: async () => undefined,
    command: (c) => victim(c, '-p', `${PORT}:80`),
    next: (c) => runNext(c, 'bridge', '172.17.0.2'),
  },
  {
    title: 'run -d --net none',
    setup: async () => undefined,
    command: (c) => victim(c, '--net', 'none'),
    next: async ({ env, marker: m }) => {
      await env.ok('run', '-d', '--name', 'next', '--net', 'none', '--', 'sleep', m);
    },
  },
  {
    title: 'rm -f of a container publishing a port',
    setup: async (c) => {
      await c.env.ok(...victim(c, '-p', `${PORT}:80`));
    },
    command: () => ['rm', '-f', 'victim'],
    next: (c) => runNext(c, 'bridge', '172.17.0.2'),
  },
  {
    title: 'stop of a container publishing a port',
    setup: async (c) => {
      await c.env.ok('network', 'create', '--subnet', SUBNET, 'crashnet');
      await c.env.ok(...victim(c, '--net', 'crashnet', '--ip', '10.66.0.9', '-p', `${PORT}:80`));
    },
    command: () => ['stop', '-t', '1', 'victim'],
    next: async (c) => {
      await runNext(c, 'crashnet', '10.66.0.9');
      await c.env.ok('rm', '-f', 'next');
      // A stopped victim starts again and takes its address and port back.
      await c.env.ok('start', 'victim');
      expect(await ipOf(c.env, 'victim')).to.equal('10.66.0.9');
    },
  },
  {
    title: 'network create',
    setup: async () => undefined,
    command: () => ['network', 'create', '--subnet', SUBNET, 'crashnet'],
    next: async ({ env, marker: m }) => {
      const exists = (await env.cli(['network', 'inspect', 'crashnet'])).exitCode === 0;
      if (!exists) await env.ok('network', 'create', '--subnet', SUBNET, 'crashnet');
      await env.ok('run', '-d', '--name', 'next', '--net', 'crashnet', '-p', `${PORT}:80`, '--', 'sleep', m);
    },
  },
  {
    title: 'network rm',
    setup: async ({ env }) => {
      await env.ok('network', 'create', '--subnet', SUBNET, 'crashnet');
    },
    command: () => ['network', 'rm', 'crashnet'],
    next: async ({ env, marker: m }) => {
      // Removal rolls forward: once begun, gc finishes it.
      expect((await env.cli(['network', 'inspect', 'crashnet'])).exitCode).to.equal(2);
      await env.ok('network', 'create', '--subnet', SUBNET, 'crashnet');
      await env.ok('run', '-d', '--name', 'next', '--net', 'crashnet', '-p', `${PORT}:80`, '--', 'sleep', m);
    },
  },
];

// The port-publishing operations again on the iptables backend: its rules are undone by other code.
CASES.push(...CASES.filter((k) => k.title.includes('-p') || k.title.startsWith('rm -f')).map((k) => ({ ...k, title: `${k.title} (iptables)`, backend: 'iptables' as const })));

/**
 * Through the daemon, the operations issue 10 names (a daemon restart per
 * crash point makes each loop slower; the in-process pass covers the rest).
 */
const DAEMON_CASES = ['run -d on the default bridge with -p', 'rm -f of a container publishing a port', 'network create'];
if (throughDaemon()) CASES.splice(0, CASES.length, ...CASES.filter((k) => DAEMON_CASES.includes(k.title)));

function backendEnv(k: CrashCase): Record<string, string> {
  return k.backend ? { CTRNET_PORT_BACKEND: k.backend } : {};
}

/** What one crash loop found: broken promises, and how many crash points the operation had. */
interface LoopResult {
  failures: string[];
  points: number;
  completed: boolean;
}

/** What a run with CTRNET_CRASH_AFTER=n did: the client's result, and the crash point reached, if any. */
interface CrashRun extends ExecOutput {
  point?: string;
}

/**
 * Run `k`'s command with the worker armed to die at crash point `n`: the
 * CLI itself, or, through the daemon, a daemon restarted with the variable
 * (and restarted normally afterwards, which reconciles like gc).
 */
async function crashRun(k: CrashCase, c: Ctx, n: number): Promise<CrashRun> {
  const { env } = c;
  const crashEnv = { CTRNET_CRASH_AFTER: String(n) };
  if (!env.daemon) {
    const r = await ctrnetCli(env.host, env.stateDir, { env: { ...backendEnv(k), ...crashEnv } })(k.command(c));
    return { ...r, point: /killing myself after "(.*)"/.exec(r.stderr)?.[1] };
  }
  const seen = env.daemon.log().length;
  await env.daemon.restart(crashEnv);
  const r = await env.cli(k.command(c));
  const point = /killing myself after "(.*)"/.exec(env.daemon.log().slice(seen))?.[1];
  await env.daemon.restart();
  return { ...r, point };
}

/**
 * Crash `k` at point 1, 2, ... until it completes; after each run: gc,
 * audit, the next operation, gc again (must find nothing), reset.
 */
async function crashLoop(k: CrashCase, c: Ctx): Promise<LoopResult> {
  const { env } = c;
  const failures: string[] = [];
  let n = 1;
  let completed = false;
  for (; n <= MAX_POINTS && !completed; n++) {
    await k.setup(c);
    const r = await crashRun(k, c, n);
    const point = r.point;
    const at = point === undefined ? `completed run (N=${n})` : `crash ${n} ("${point}")`;
    if (point === undefined) {
      if (r.exitCode !== 0) failures.push(`ctrnet ${k.command(c).join(' ')} with CTRNET_CRASH_AFTER=${n} exited ${r.exitCode}: ${r.stderr.trim()}`);
      completed = true;
    }
    const gc = await env.cli(['system', 'gc']);
    if (gc.exitCode !== 0) failures.push(`${at}: system gc exited ${gc.exitCode}: ${gc.stderr.trim()}`);
    for (const p of await audit(env, watch(c.marker))) failures.push(`${at}, after gc: ${p}`);
    try {
      await k.next(c);
      // Audited once per loop (it costs a handful of CLI calls); the gc below would notice a mess too.
      if (completed) for (const p of await audit(env, watch(c.marker))) failures.push(`${at}, after the next operation: ${p}`);
      const again = await env.ok('system', 'gc');
      if (again.trim() !== 'nothing to clean') failures.push(`${at}: second gc was not idempotent: ${again.trim()}`);
    } catch (err) {
      failures.push(`${at}: the next operation failed: ${(err as Error).message}`);
    }
    await env.ok('system', 'reset');
  }
  for (const p of await audit(env, watch(c.marker))) failures.push(`after the last reset: ${p}`);
  return { failures, points: n - 1, completed };
}

describe('crash safety (e2e)', function () {
  // The first test waits for the longest crash loop (about 14 rounds of ~10 CLI calls each).
  this.timeout(480_000);

  describe('every crash point of an operation, then gc', () => {
    // Started together in before(), in a pool; each test awaits its own loop.
    const loops = new Map<string, Promise<LoopResult>>();
    const registries: TestNamespaces[] = [];
    before(() => {
      const queue = CASES.map((k, i) => async () => {
        const tn = new TestNamespaces();
        registries.push(tn);
        try {
          return await crashLoop(k, { env: await createCtrnetEnv(tn, { env: backendEnv(k) }), marker: marker(i) });
        } finally {
          await tn.cleanup();
        }
      });
      const results = CASES.map(() => {
        let settle!: (r: Promise<LoopResult>) => void;
        return { promise: new Promise<LoopResult>((resolve) => (settle = resolve)), settle };
      });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < queue.length) {
          const i = next++;
          const run = queue[i]!();
          results[i]!.settle(run);
          await run.catch(() => undefined);
        }
      };
      for (let w = 0; w < PARALLEL; w++) void worker();
      CASES.forEach((k, i) => loops.set(k.title, results[i]!.promise));
    });
    after(async function () {
      this.timeout(300_000);
      await Promise.allSettled(loops.values());
      for (const tn of registries) await tn.cleanup();
    });

    for (const k of CASES) {
      it(`${k.title}: gc after a crash at every point leaves nothing behind`, async () => {
        const result = await loops.get(k.title)!;
        expect(result.failures).to.deep.equal([]);
        expect(result.completed, `never completed within ${MAX_POINTS} crash points`).to.equal(true);
        expect(result.points, 'the operation has crash points').to.be.greaterThan(1);
      });
    }
  });

  describe('gc notices containers that died behind its back', () => {
    const tn = useTestNamespaces();
    const m = marker(CASES.length);
    const WATCH = watch(m);
    /** A fresh installation and its case context. */
    const fresh = async (): Promise<Ctx> => ({ env: await createCtrnetEnv(tn), marker: m });
    /** Kill a detached container's supervisor (so no reaper reports the exit), then its command. */
    async function killBehindBack(env: CtrnetEnv, name: string): Promise<void> {
      const pid = (await inspect(env, name)).State.Pid;
      expect(pid).to.be.greaterThan(0);
      const parentOf = async (child: number) => Number(/^\S+ \(.*\) \S (\d+)/.exec((await execIn(undefined, ['cat', `/proc/${child}/stat`])).stdout)?.[1]);
      // supervisor sh → tini → PID 1
      const supervisor = await parentOf(await parentOf(pid));
      process.kill(supervisor, 'SIGKILL');
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 20));
        } catch {
          return;
        }
      }
    }

    it('releases the network of a container whose process was killed', async () => {
      const c = await fresh();
      const { env } = c;
      await env.ok(...victim(c, '-p', `${PORT}:80`));
      await env.ok('network', 'create', '--subnet', SUBNET, 'crashnet');
      await env.ok('run', '-d', '--name', 'other', '--net', 'crashnet', '-p', `${SPARE_PORT}:80`, '--', 'sleep', m);
      await killBehindBack(env, 'victim');
      expect((await ps(env)).find((c) => c.Name === 'victim')?.Status, 'the store still believes it runs').to.equal('running');
      const gc = await env.ok('system', 'gc');
      expect(gc).to.contain('victim');
      expect((await ps(env)).find((c) => c.Name === 'victim')?.Status).to.equal('exited');
      expect(await audit(env, WATCH)).to.deep.equal([]);
      expect((await env.ok('system', 'gc')).trim()).to.equal('nothing to clean');
      await env.ok('rm', '-f', 'other');
      await runNext(c, 'bridge', '172.17.0.2');
      expect(await audit(env, WATCH)).to.deep.equal([]);
    });

    it('cleans a container whose process died and whose namespace was deleted (a reboot)', async () => {
      const c = await fresh();
      const { env } = c;
      await env.ok(...victim(c, '-p', `${PORT}:80`));
      const view = await inspect(env, 'victim');
      await killBehindBack(env, 'victim');
      await execIn(undefined, ['ip', 'netns', 'delete', `ctrnet-${view.Id.slice(0, 12)}`]);
      const gc = await env.ok('system', 'gc');
      expect(gc).to.contain('victim');
      expect(await audit(env, WATCH)).to.deep.equal([]);
      expect((await env.ok('system', 'gc')).trim()).to.equal('nothing to clean');
      await runNext(c, 'bridge', '172.17.0.2');
      // The exited victim can start again.
      await env.ok('rm', '-f', 'next');
      await env.ok('start', 'victim');
      expect(await ipOf(env, 'victim')).to.equal('172.17.0.2');
      expect(await audit(env, WATCH)).to.deep.equal([]);
    });

    it('re-creates a bridge deleted behind its back', async () => {
      const { env } = await fresh();
      await env.ok('network', 'create', '--subnet', SUBNET, 'crashnet');
      const id = JSON.parse(await env.ok('network', 'inspect', 'crashnet'))[0].Id as string;
      await execIn(env.host, ['ip', 'link', 'del', `ctr-${id.slice(0, 11)}`]);
      expect(await env.ok('system', 'gc')).to.contain(`ctr-${id.slice(0, 11)}`);
      expect((await env.ok('system', 'gc')).trim()).to.equal('nothing to clean');
      await env.ok('run', '-d', '--name', 'next', '--net', 'crashnet', '-p', `${PORT}:80`, '--', 'sleep', m);
      expect(await audit(env, WATCH)).to.deep.equal([]);
    });
  });
});
