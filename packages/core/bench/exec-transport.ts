/**
 * What a kernel command costs through each transport: the resident
 * coprocesses (CoprocessExecutor), one process per call through execa
 * (ExecaExecutor), and one process per call with plain child_process.spawn.
 * Everything runs inside a throwaway namespace playing the host. Prints
 * medians; asserts nothing (the machine is shared, figures move with load).
 *
 *   node packages/core/dist/bench/exec-transport.js [--n 100]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { CoprocessExecutor, ExecaExecutor, type Executor, type IpCommand } from '../src/index.js';
import { spawnOnce } from '../src/exec/spawn-once.js';

const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 100;
const host = `ctt-bench-${randomBytes(3).toString('hex')}`;
const hostPath = `/run/netns/${host}`;
const enter = ['nsenter', `--net=${hostPath}`, '--'];

type Call = (i: number) => Promise<unknown>;

/** Rounds each variant's calls are split into. */
const ROUNDS = 5;

/**
 * Medians (and 90th percentiles) in ms of `calls` calls of each variant.
 * The variants take turns in rounds of sequential calls, so each sees the
 * same machine load, but never between two calls of another (a spawned nft
 * deleting, for one, holds up the next nft for ~17 ms as it exits). A few
 * calls each warm up first. Call `i` of a variant gets index `i` (warm-up
 * calls get indexes of their own), so adds and deletes pair up.
 */
async function compare(title: string, calls: number, variants: Record<string, Call>): Promise<void> {
  const entries = Object.entries(variants);
  for (let i = 0; i < 5; i++) for (const [, call] of entries) await call(calls + i);
  const times = entries.map(() => [] as number[]);
  const perRound = Math.ceil(calls / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (let v = 0; v < entries.length; v++) {
      for (let i = round * perRound; i < Math.min(calls, (round + 1) * perRound); i++) {
        const started = process.hrtime.bigint();
        await entries[v]![1](i);
        times[v]!.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  }
  console.log(title);
  entries.forEach(([name], v) => {
    const sorted = times[v]!.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
    console.log(`  ${name.padEnd(44)} ${at(0.5).padStart(6)} ms  (p90 ${at(0.9)})`);
  });
}

const BATCH: IpCommand[] = [
  ['link', 'set', 'cb0', 'up'],
  ['addr', 'replace', '10.253.9.1/24', 'dev', 'cb0'],
  ['link', 'set', 'cb0', 'mtu', '1500'],
];

async function main(): Promise<void> {
  execFileSync('ip', ['netns', 'add', host]);
  const coprocess = new CoprocessExecutor({ hostNetns: hostPath });
  const execa = new ExecaExecutor();
  // ExecaExecutor has no notion of a host namespace: aim every call at it.
  const viaExeca: Pick<Executor, 'ip' | 'nft'> = {
    ip: (commands, options) => execa.ip(commands, { ...options, netns: hostPath }),
    nft: (script) => execa.nft(script, { netns: hostPath }),
  };
  try {
    await coprocess.ip([['link', 'add', 'cb0', 'type', 'bridge'], ['link', 'add', 've0', 'type', 'veth', 'peer', 'name', 've1']]);
    await coprocess.nft('add table inet bench\nadd set inet bench s { type inet_service; }\n');
    console.log(`medians of ${n} calls per variant, in ${ROUNDS} alternating rounds, inside netns ${host}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

    await compare('ip batch of 3 lines (link up, addr replace, mtu)', n, {
      'coprocess, stop at first failure': () => coprocess.ip(BATCH),
      'coprocess, teardown mode (one write)': () => coprocess.ip(BATCH, { ignoreMissing: true }),
      'ExecaExecutor (nsenter ip -batch -)': () => viaExeca.ip(BATCH),
      'plain spawn (nsenter ip -batch -)': () => spawnOnce([...enter, 'ip', '-batch', '-'], BATCH.map((c) => `${c.join(' ')}\n`).join('')),
    });
    const naming: IpCommand[] = [['link', 'set', 've0', 'up'], ['link', 'set', 've1', 'netns', hostPath], ['link', 'set', 've1', 'up']];
    await compare('ip batch of 3 lines, one naming a namespace (never given to the coprocess)', n, {
      'coprocess executor (short-lived ip, plain spawn)': () => coprocess.ip(naming),
      'ExecaExecutor': () => viaExeca.ip(naming),
    });
    // Each variant adds and deletes its own range of elements.
    const element = (verb: 'add' | 'delete', base: number) => (i: number) => `${verb} element inet bench s { ${base + i} }\n`;
    const nftVariants = (verb: 'add' | 'delete') => ({
      'coprocess (nft -i, include)': (i: number) => coprocess.nft(element(verb, 10_000)(i)),
      'ExecaExecutor (nsenter nft -f -)': (i: number) => viaExeca.nft(element(verb, 20_000)(i)),
      'plain spawn (nsenter nft -f -)': (i: number) => spawnOnce([...enter, 'nft', '-f', '-'], element(verb, 30_000)(i)),
    });
    await compare('nft element add', n, nftVariants('add'));
    await compare('nft element delete', n, nftVariants('delete'));
    await compare('/bin/true', n, {
      'ExecaExecutor.run': () => execa.run(['/bin/true']),
      'plain spawn': () => spawnOnce(['/bin/true']),
    });
    await compare('a one-line ip batch in a fresh process', Math.min(n, 50), {
      'new coprocess: start, one line, close': async () => {
        const fresh = new CoprocessExecutor({ hostNetns: hostPath });
        await fresh.ip([['link', 'set', 'cb0', 'up']]);
        await fresh.close();
      },
      'plain spawn (nsenter ip -batch -)': () => spawnOnce([...enter, 'ip', '-batch', '-'], 'link set cb0 up\n'),
    });
  } finally {
    await coprocess.close();
    execFileSync('ip', ['netns', 'delete', host]);
  }
}

await main();
