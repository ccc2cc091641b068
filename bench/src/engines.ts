/**
 * `--engines`: the real container engines with ctrnet against their own
 * networking, in the same run, rounds interleaved so every variant sees the
 * same load. `podman run -d -p` with ctrnet as its CNI plugin (through
 * ctrnetd) vs Podman's reference CNI plugins vs netavark; `docker run -d -p`
 * on a ctrnet network (ctrnetd's Docker plugin) vs Docker's bridge; and the
 * CNI ADD alone: ctrnet-cni (through ctrnetd, and in-process) vs the
 * reference bridge + portmap chain, each executed as a runtime executes it.
 * Everything runs in testkit fences: the engines never touch the host.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installLauncher } from '@ctrnet/cni';
import {
  BUSYBOX_HTTPD,
  busyboxImage,
  createFence,
  createLan,
  httpGet,
  missingPackages,
  preparePodman,
  startCtrnetd,
  startDockerd,
  TestNamespaces,
  type Fence,
  type Lan,
} from '@ctrnet/testkit';
import { summarize, type Summary } from './stats.js';
import { formatColumns } from './table.js';

export const DEFAULT_ENGINES_N = 10;

/** One engine variant's samples: `run -d -p` and `rm -f`, in ms. */
export interface EngineVariant {
  name: string;
  engine: 'podman' | 'docker';
  ctrnet: boolean;
  runMs: number[];
  rmMs: number[];
  run?: Summary;
  rm?: Summary;
}

/** One way of running a CNI ADD (and the DEL after it). */
export interface CniAddVariant {
  name: string;
  addMs: number[];
  delMs: number[];
  add?: Summary;
  del?: Summary;
}

export interface EnginesResult {
  n: number;
  status: 'ok' | 'failed';
  error?: string;
  /** Packages that were missing, so their variants did not run. */
  skipped: string[];
  variants: EngineVariant[];
  cniAdd: CniAddVariant[];
}

interface Variant extends EngineVariant {
  runOnce(port: number): Promise<string>;
  remove(id: string): Promise<void>;
  lan: Lan;
}

export async function benchEngines(n: number, log: (line: string) => void): Promise<EnginesResult> {
  const tn = new TestNamespaces();
  const skipped = missingPackages('podman', 'netavark', 'dockerd');
  const result: EnginesResult = { n, status: 'ok', skipped, variants: [], cniAdd: [] };
  try {
    const { variants, cniAdd } = await setUp(tn, skipped, log);
    log(`bench: engines, ${variants.length} variants, ${n} rounds`);
    for (const v of variants) await v.remove(await v.runOnce(19_000 + variants.indexOf(v))); // warm-up: first use makes networks and bridges
    for (let round = 0; round < n; round++) {
      for (const [i, v] of variants.entries()) {
        const port = 20_000 + i * 1000 + round;
        const t0 = performance.now();
        const id = await v.runOnce(port);
        v.runMs.push(performance.now() - t0);
        if (round === 0) await httpGet(v.lan.ns, `http://${v.lan.hostAddress}:${port}/`);
        const t1 = performance.now();
        await v.remove(id);
        v.rmMs.push(performance.now() - t1);
      }
      for (const c of cniAdd) await c.measure(round);
    }
    result.variants = variants.map(({ name, engine, ctrnet, runMs, rmMs }) => ({ name, engine, ctrnet, runMs, rmMs, run: summarize(runMs), rm: summarize(rmMs) }));
    result.cniAdd = cniAdd.map(({ name, addMs, delMs }) => ({ name, addMs, delMs, add: summarize(addMs), del: summarize(delMs) }));
  } catch (err) {
    result.status = 'failed';
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await tn.cleanup();
  }
  return result;
}

async function setUp(tn: TestNamespaces, missing: string[], log: (line: string) => void): Promise<{ variants: Variant[]; cniAdd: (CniAddVariant & { measure(round: number): Promise<void> })[] }> {
  if (missing.length) log(`bench: engines: missing ${missing.join('; ')}; those variants are skipped`);
  const has = (what: string) => !missing.some((m) => m.includes(what));
  const variants: Variant[] = [];
  const sample = (name: string, engine: 'podman' | 'docker', ctrnet: boolean) => ({ name, engine, ctrnet, runMs: [] as number[], rmMs: [] as number[] });

  // Fence A: ctrnetd (also Docker's plugin), Podman with the CNI backend, dockerd.
  const a = await createFence(tn);
  const lanA = await createLan(tn, a.host);
  const config = a.path('ctrnet.json');
  writeFileSync(config, JSON.stringify({ docker: { pluginSocket: '/run/docker/plugins/ctrnet.sock' } }));
  const dockerd = has('docker.io') ? await startDockerd(a) : undefined;
  const ctrnetd = await startCtrnetd(a, { config });
  const plugins = a.path('cni-plugins');
  mkdirSync(plugins);
  const launcher = installLauncher(plugins, 'ctrnet');
  if (has('podman')) {
    const podman = await preparePodman(a, { networkBackend: 'cni', cniPluginDirs: [plugins] });
    writeFileSync(
      join(podman.networkConfigDir, 'ctrnet-bench.conflist'),
      JSON.stringify({ cniVersion: '0.4.0', name: 'ctrnet-bench', plugins: [{ type: 'ctrnet', subnet: '10.251.90.0/24', stateDir: ctrnetd.stateDir, configPath: config, capabilities: { portMappings: true } }] }),
    );
    const image = await podman.importImage(await busyboxImage(a.path('image-podman')));
    const podmanOn = (name: string, network: string): Variant => ({
      ...sample(name, 'podman', network === 'ctrnet-bench'),
      lan: lanA,
      runOnce: async (port) => (await podman.podman(['run', '-d', '--network', network, '-p', `${port}:80`, image, ...BUSYBOX_HTTPD])).stdout.trim(),
      remove: async (id) => void (await podman.podman(['rm', '-f', '-t', '0', id])),
    });
    variants.push(podmanOn('podman run -d -p, ctrnet CNI plugin (ctrnetd)', 'ctrnet-bench'), podmanOn('podman run -d -p, CNI reference plugins', 'podman'));
  }
  if (has('netavark')) {
    // Its own fence: netavark's default network has Podman's CNI subnet too.
    const b = await createFence(tn);
    const lanB = await createLan(tn, b.host);
    const podman = await preparePodman(b, { networkBackend: 'netavark' });
    const image = await podman.importImage(await busyboxImage(b.path('image')));
    variants.push({
      ...sample('podman run -d -p, netavark', 'podman', false),
      lan: lanB,
      runOnce: async (port) => (await podman.podman(['run', '-d', '-p', `${port}:80`, image, ...BUSYBOX_HTTPD])).stdout.trim(),
      remove: async (id) => void (await podman.podman(['rm', '-f', '-t', '0', id])),
    });
  }
  if (dockerd) {
    const image = await dockerd.importImage(await busyboxImage(a.path('image-docker')));
    await dockerd.docker(['network', 'create', '-d', 'ctrnet', '--ipam-driver', 'ctrnet', 'ctrnet-bench']);
    const dockerOn = (name: string, network: string[]): Variant => ({
      ...sample(name, 'docker', network.length > 0),
      lan: lanA,
      runOnce: async (port) => (await dockerd.docker(['run', '-d', ...network, '-p', `${port}:80`, image, ...BUSYBOX_HTTPD])).stdout.trim(),
      remove: async (id) => void (await dockerd.docker(['rm', '-f', id])),
    });
    variants.push(dockerOn('docker run -d -p, ctrnet network (ctrnetd)', ['--network', 'ctrnet-bench']), dockerOn('docker run -d -p, Docker bridge', []));
  }
  return { variants, cniAdd: cniAddVariants(tn, a, launcher, { stateDir: ctrnetd.stateDir, configPath: config }) };
}

/** The plugin request of one plugin of a list, as libcni builds it. */
function pluginRequest(list: { cniVersion: string; name: string }, plugin: Record<string, unknown>, runtimeConfig?: Record<string, unknown>, prevResult?: unknown): string {
  const rest = { ...plugin };
  delete rest.capabilities;
  return JSON.stringify({ ...rest, cniVersion: list.cniVersion, name: list.name, ...(runtimeConfig ? { runtimeConfig } : {}), ...(prevResult ? { prevResult } : {}) });
}

/** CNI ADD and DEL run inside fence A as a runtime runs them (a process per plugin, CNI_* variables, stdin). */
function cniAddVariants(tn: TestNamespaces, fence: Fence, launcher: string, installation: { stateDir: string; configPath: string }): (CniAddVariant & { measure(round: number): Promise<void> })[] {
  const env = (command: string, id: string, netns: string) => ({ CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' });
  const timed = async (argv: string[], opts: { env: Record<string, string>; input: string }): Promise<[number, string]> => {
    const t0 = performance.now();
    const out = await fence.exec(argv, opts);
    return [performance.now() - t0, out.stdout];
  };
  const ports = (port: number) => ({ portMappings: [{ hostPort: port, containerPort: 80, protocol: 'tcp', hostIP: '' }] });
  const ctrnet = (name: string, tag: string, extra: Record<string, string>) => {
    const v = { name, addMs: [] as number[], delMs: [] as number[] };
    return {
      ...v,
      measure: async (round: number) => {
        const ns = fence.netnsPath(await tn.create('cnib'));
        const id = `bench-${tag}-${round}`;
        const conf = (port: number) => JSON.stringify({ cniVersion: '1.0.0', name: 'ctrnet-micro', type: 'ctrnet', subnet: '10.251.92.0/24', ...installation, runtimeConfig: ports(port) });
        const port = 30_000 + round + (extra.CTRNET_DAEMON ? 500 : 0);
        v.addMs.push((await timed([launcher], { env: { ...env('ADD', id, ns), ...extra }, input: conf(port) }))[0]);
        v.delMs.push((await timed([launcher], { env: { ...env('DEL', id, ns), ...extra }, input: conf(port) }))[0]);
      },
    };
  };
  const list = {
    cniVersion: '1.0.0',
    name: 'ref-micro',
    plugins: [
      { type: 'bridge', bridge: 'cni-micro0', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: fence.path('micro-leases'), ranges: [[{ subnet: '10.251.93.0/24' }]], routes: [{ dst: '0.0.0.0/0' }] } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  const reference = { name: 'reference bridge + portmap (libcni order)', addMs: [] as number[], delMs: [] as number[] };
  const measureReference = async (round: number) => {
    const ns = fence.netnsPath(await tn.create('cnib'));
    const id = `bench-ref-${round}`;
    const [bridge, portmap] = list.plugins;
    const rc = ports(31_000 + round);
    const [tBridge, bridgeOut] = await timed(['/usr/lib/cni/bridge'], { env: env('ADD', id, ns), input: pluginRequest(list, bridge!) });
    const result = JSON.parse(bridgeOut) as unknown;
    const [tPortmap] = await timed(['/usr/lib/cni/portmap'], { env: env('ADD', id, ns), input: pluginRequest(list, portmap!, rc, result) });
    reference.addMs.push(tBridge + tPortmap);
    const [dPortmap] = await timed(['/usr/lib/cni/portmap'], { env: env('DEL', id, ns), input: pluginRequest(list, portmap!, rc, result) });
    const [dBridge] = await timed(['/usr/lib/cni/bridge'], { env: env('DEL', id, ns), input: pluginRequest(list, bridge!, undefined, result) });
    reference.delMs.push(dPortmap + dBridge);
  };
  return [ctrnet('ctrnet-cni through ctrnetd', 'd', {}), ctrnet('ctrnet-cni in-process', 'p', { CTRNET_DAEMON: 'never' }), { ...reference, measure: measureReference }];
}

const ms = (s: Summary | undefined) => (s ? `${s.median.toFixed(1)} / ${s.p90.toFixed(1)}` : '-');

/** The tables and the targets: ctrnet never the slowest of its engine; its CNI ADD ≤ the reference chain's. */
export function renderEngines(r: EnginesResult): string {
  const out: string[] = [`Engines: ${r.n} rounds, variants interleaved; median / p90 ms${r.skipped.length ? ` (skipped, missing: ${r.skipped.join('; ')})` : ''}`];
  if (r.status !== 'ok') return [...out, `  failed: ${r.error}`].join('\n');
  out.push('', formatColumns(['', 'run -d -p', 'rm -f'], r.variants.map((v) => [v.name, ms(v.run), ms(v.rm)])));
  out.push('', formatColumns(['CNI, one attachment with one port', 'ADD', 'DEL'], r.cniAdd.map((c) => [c.name, ms(c.add), ms(c.del)])));
  const targets: string[][] = [];
  for (const engine of ['podman', 'docker'] as const) {
    const of = r.variants.filter((v) => v.engine === engine && v.run);
    const ours = of.find((v) => v.ctrnet);
    if (!ours || of.length < 2) continue;
    const slowest = of.reduce((a, b) => (b.run!.median > a.run!.median ? b : a));
    targets.push([`${engine} run -d -p: ctrnet not the slowest`, `${ours.run!.median.toFixed(1)} ms`, `< ${slowest.name === ours.name ? 'another variant' : `${slowest.run!.median.toFixed(1)} ms (${slowest.name})`}`, slowest.name === ours.name ? 'MISSED' : 'met']);
  }
  const [daemon, , reference] = r.cniAdd;
  if (daemon?.add && reference?.add) {
    targets.push(['CNI ADD: ctrnet-cni ≤ bridge + portmap', `${daemon.add.median.toFixed(1)} ms`, `≤ ${reference.add.median.toFixed(1)} ms`, daemon.add.median <= reference.add.median ? 'met' : 'MISSED']);
  }
  if (targets.length) out.push('', 'Engine targets', '', formatColumns(['', 'measured', 'target', ''], targets));
  return out.join('\n');
}
