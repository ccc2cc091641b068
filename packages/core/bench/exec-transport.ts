/**
 * What a kernel command costs through each transport: the resident
 * coprocesses (CoprocessExecutor), one process per call through execa
 * (ExecaExecutor), and one process per call with plain child_process.spawn.
 * Everything runs inside a throwaway namespace playing the host. Prints
 * medians; asserts nothing (the machine is shared, figures move with load).
 *
 *   node packages/core/dist/bench/exec-transport.js [--n 200]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CoprocessExecutor, ExecaExecutor, type Executor, type IpCommand } from '../src/index.js';
import { spawnOnce } from '../src/exec/spawn-once.js';

const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 200;
const host = `ctt-bench-${randomBytes(3).toString('hex')}`;
const hostPath = `/run/netns/${host}`;
const enter = ['nsenter', `--net=${hostPath}`, '--'];

/** Median and 90th percentile in ms of `n` sequential calls, after a few to warm up. */
async function measure(calls: number, call: (i: number) => Promise<unknown>): Promise<string> {
  // Warm-up calls get indexes of their own, so an add and its delete always pair up.
  for (let i = 0; i < 5; i++) await call(calls + i);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint();
    await call(i);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  return `${at(0.5).padStart(6)} ms  (p90 ${at(0.9)})`;
}

const BATCH: IpCommand[] = [
  ['link', 'set', 'cb0', 'up'],
  ['addr', 'replace', '10.253.9.1/24', 'dev', 'cb0'],
  ['link', 'set', 'cb0', 'mtu', '1500'],
];
const elementAdd = (i: number) => `add element inet bench s { ${10_000 + i} }\n`;
const elementDelete = (i: number) => `delete element inet bench s { ${10_000 + i} }\n`;

async function main(): Promise<void> {
  execFileSync('ip', ['netns', 'add', host]);
  const coprocess = new CoprocessExecutor({ hostNetns: hostPath });
  const execa = new ExecaExecutor();
  // ExecaExecutor has no notion of a host namespace: aim every call at it.
  const viaExeca: Pick<Executor, 'ip' | 'nft'> = {
    ip: (commands, options) => execa.ip(commands, { ...options, netns: hostPath }),
    nft: (script) => execa.nft(script, { netns: hostPath }),
  };
  const rows: Array<[string, string]> = [];
  const row = async (label: string, calls: number, call: (i: number) => Promise<unknown>) => {
    rows.push([label, await measure(calls, call)]);
    console.log(`${label.padEnd(58)} ${rows.at(-1)![1]}`);
  };
  try {
    await coprocess.ip([['link', 'add', 'cb0', 'type', 'bridge'], ['link', 'add', 've0', 'type', 'veth', 'peer', 'name', 've1']]);
    await coprocess.nft('add table inet bench\nadd set inet bench s { type inet_service; }\n');
    console.log(`medians of ${n} calls (coprocess) / ${Math.ceil(n / 4)} (spawned), inside netns ${host}\n`);

    await row('ip batch, 3 lines: coprocess, stop at first failure', n, () => coprocess.ip(BATCH));
    await row('ip batch, 3 lines: coprocess, teardown mode (one write)', n, () => coprocess.ip(BATCH, { ignoreMissing: true }));
    await row('ip batch, 3 lines: ExecaExecutor (nsenter ip -batch -)', n / 4, () => viaExeca.ip(BATCH));
    await row('ip batch, 3 lines: plain spawn (nsenter ip -batch -)', n / 4, () => spawnOnce([...enter, 'ip', '-batch', '-'], BATCH.map((c) => c.join(' ')).join('\n') + '\n'));
    await row('ip batch, 3 lines, one naming a netns: coprocess executor', n / 4, () =>
      coprocess.ip([['link', 'set', 've0', 'up'], ['link', 'set', 've1', 'netns', hostPath], ['link', 'set', 've1', 'up']]),
    );

    await row('nft element add: coprocess', n, (i) => coprocess.nft(elementAdd(i)));
    await row('nft element delete: coprocess', n, (i) => coprocess.nft(elementDelete(i)));
    await row('nft element add: ExecaExecutor (nsenter nft -f -)', n / 4, (i) => viaExeca.nft(elementAdd(i)));
    await row('nft element delete: ExecaExecutor (nsenter nft -f -)', n / 4, (i) => viaExeca.nft(elementDelete(i)));
    await row('nft element add: plain spawn (nsenter nft -f -)', n / 4, (i) => spawnOnce([...enter, 'nft', '-f', '-'], elementAdd(i)));
    await row('nft element delete: plain spawn (nsenter nft -f -)', n / 4, (i) => spawnOnce([...enter, 'nft', '-f', '-'], elementDelete(i)));

    await row('/bin/true: ExecaExecutor.run', n / 4, () => execa.run(['/bin/true']));
    await row('/bin/true: plain spawn', n / 4, () => spawnOnce(['/bin/true']));
    await row('new executor: start the ip coprocess, one line, close', 20, async () => {
      const fresh = new CoprocessExecutor({ hostNetns: hostPath });
      await fresh.ip([['link', 'set', 'cb0', 'up']]);
      await fresh.close();
    });
  } finally {
    await coprocess.close();
    execFileSync('ip', ['netns', 'delete', host]);
  }
}

await main();
