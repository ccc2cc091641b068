/**
 * `--overlay`: an overlay network across three hosts (namespaces on one LAN,
 * each with its own ctrnetd, one etcd), built with the testkit's cluster
 * harness. Three figures:
 *
 * - reach: from `run -d` on host A until a container on host C gets an
 *   answer from the new container (a TCP RST from its closed port 80 proves
 *   the packet arrived; no server needed), polled every 5 ms from C;
 * - throughput: iperf3 between a container on A and one on C through the
 *   overlay, vs iperf3 between the host namespaces A and C over a VXLAN
 *   device set up by hand (same MTU, same port kind, no bridge, no veth);
 * - `run -d` on the overlay network vs on a bridge network, on host A.
 */
import { performance } from 'node:perf_hooks';
import { BUILTIN_PLUGINS } from '@ctrnet/core';
import { createCluster, execIn, TestNamespaces, type ClusterHost } from '@ctrnet/testkit';
import { median } from './stats.js';

const PLUGINS = [...BUILTIN_PLUGINS, '@ctrnet/ipam-etcd', '@ctrnet/driver-overlay'];
const SUBNET = '10.230.0.0/16';
/** The hand-made VXLAN between the host namespaces A and C. */
const PLAIN = { device: 'vxbench', vni: '4242', port: '4790', a: '10.231.0.1', c: '10.231.0.2' };

export interface OverlayOptions {
  /** Containers started on A and reached from C. */
  reaches: number;
  /** `run -d` per network kind. */
  runs: number;
  /** Seconds per iperf3 run. */
  seconds: number;
}

export interface OverlayResult {
  status: 'ok' | 'failed';
  error?: string;
  reachMs: number[];
  /** Gbit/s through the overlay and over plain VXLAN, one sample per round. */
  overlayGbps: number[];
  plainGbps: number[];
  runOverlayMs: number[];
  runBridgeMs: number[];
}

// Connect until an answer (connected, or refused: the RST came from the container), then print the time.
const REACH_PROBE = `
const net = require('node:net');
const [ip] = process.argv.slice(1);
process.stdout.write('ready\\n');
const attempt = () => {
  const s = net.connect({ host: ip, port: 80 });
  const retry = () => { s.destroy(); setTimeout(attempt, 5); };
  s.setTimeout(50, retry);
  s.on('connect', () => { process.stdout.write('reached\\n'); process.exit(0); });
  s.on('error', (e) => { if (e.code === 'ECONNREFUSED') { process.stdout.write('reached\\n'); process.exit(0); } retry(); });
};
attempt();`;

async function sandboxOf(host: ClusterHost, name: string): Promise<string> {
  return (JSON.parse(await host.ok('inspect', name)) as { NetworkSettings: { SandboxKey: string } }[])[0]!.NetworkSettings.SandboxKey;
}

async function ipOf(host: ClusterHost, name: string): Promise<string> {
  const view = (JSON.parse(await host.ok('inspect', name)) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }[])[0]!;
  return Object.values(view.NetworkSettings.Networks)[0]!.IPAddress;
}

/** iperf3 from `clientNs` to `serverIp` (a server in `serverNs`); Gbit/s received. */
async function iperf(tn: TestNamespaces, serverNs: string, serverIp: string, clientNs: string, seconds: number): Promise<number> {
  const server = tn.spawn(serverNs, ['iperf3', '-s', '-1', '-B', serverIp, '--forceflush']);
  await server.waitForOutput(/Server listening/, 10_000);
  const { stdout } = await execIn(clientNs, ['iperf3', '-c', serverIp, '-t', String(seconds), '-J']);
  const report = JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } } };
  await server.stop();
  return report.end.sum_received.bits_per_second / 1e9;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

export async function measureOverlay(options: OverlayOptions, log: (line: string) => void): Promise<OverlayResult> {
  const result: OverlayResult = { status: 'ok', reachMs: [], overlayGbps: [], plainGbps: [], runOverlayMs: [], runBridgeMs: [] };
  const tn = new TestNamespaces();
  try {
    const cluster = await createCluster(tn, 3, { plugins: PLUGINS });
    const [a, , c] = cluster.hosts as [ClusterHost, ClusterHost, ClusterHost];
    await a.ok('network', 'create', '-d', 'overlay', '--subnet', SUBNET, 'bench');
    for (let i = 0; !(await c.ok('network', 'ls')).includes('bench'); i++) {
      if (i > 100) throw new Error('host C never saw the network created on host A');
      await new Promise((r) => setTimeout(r, 100));
    }
    const sliceA = ((JSON.parse(await a.ok('network', 'inspect', 'bench')) as { IPAM: { Config: { IPRange: string }[] } }[])[0]!.IPAM.Config[0]!.IPRange).split('/')[0]!;
    const base = sliceA.split('.').slice(0, 3).join('.');
    await c.ok('run', '-d', '--name', 'probe', '--net', 'bench', '--', 'sleep', '3600');
    const probeNs = await sandboxOf(c, 'probe');

    log(`bench: overlay reach, ${options.reaches} containers started on host A, probed from host C`);
    for (let i = 0; i < options.reaches; i++) {
      const ip = `${base}.${20 + i}`;
      const probe = tn.spawn(probeNs, ['node', '-e', REACH_PROBE, ip]);
      await probe.waitForOutput(/ready/, 10_000);
      const t0 = performance.now();
      await a.ok('run', '-d', '--name', `reach${i}`, '--net', 'bench', '--ip', ip, '--', 'sleep', '3600');
      await probe.waitForOutput(/reached/, 30_000);
      result.reachMs.push(performance.now() - t0);
      await probe.stop();
      await a.ok('rm', '-f', `reach${i}`);
    }

    log(`bench: overlay throughput, ${options.seconds} s per run, overlay and plain VXLAN alternating`);
    await a.ok('run', '-d', '--name', 'tx', '--net', 'bench', '--', 'sleep', '3600');
    await c.ok('run', '-d', '--name', 'rx', '--net', 'bench', '--', 'sleep', '3600');
    const [txNs, rxNs, rxIp] = [await sandboxOf(a, 'tx'), await sandboxOf(c, 'rx'), await ipOf(c, 'rx')];
    const mtu = String((JSON.parse((await a.host.exec(['ip', '-j', 'link', 'show', 'dev', 'uplink'])).stdout) as { mtu: number }[])[0]!.mtu - 50);
    for (const [h, local, remote, address] of [[a, a.ip, c.ip, PLAIN.a], [c, c.ip, a.ip, PLAIN.c]] as const) {
      await h.host.exec(['ip', 'link', 'add', PLAIN.device, 'mtu', mtu, 'type', 'vxlan', 'id', PLAIN.vni, 'local', local, 'remote', remote, 'dstport', PLAIN.port, 'nolearning']);
      await h.host.exec(['ip', 'addr', 'add', `${address}/24`, 'dev', PLAIN.device]);
      await h.host.exec(['ip', 'link', 'set', PLAIN.device, 'up']);
    }
    // The machine is shared: alternate, and compare medians of several rounds.
    for (let round = 0; round < 4; round++) {
      result.overlayGbps.push(await iperf(tn, rxNs, rxIp, txNs, options.seconds));
      result.plainGbps.push(await iperf(tn, c.host.path, PLAIN.c, a.host.path, options.seconds));
    }

    log(`bench: run -d on host A, overlay vs bridge, ${options.runs} each, alternating`);
    await a.ok('network', 'create', 'benchbr');
    for (const net of ['bench', 'benchbr']) await a.ok('rm', '-f', await a.ok('run', '-d', '--net', net, '--', 'sleep', '3600').then((id) => id.trim()));
    for (let i = 0; i < options.runs; i++) {
      result.runOverlayMs.push(await timed(() => a.ok('run', '-d', '--name', `o${i}`, '--net', 'bench', '--', 'sleep', '3600')));
      result.runBridgeMs.push(await timed(() => a.ok('run', '-d', '--name', `b${i}`, '--net', 'benchbr', '--', 'sleep', '3600')));
    }
    for (let i = 0; i < options.runs; i++) await a.ok('rm', '-f', `o${i}`, `b${i}`);
    await a.ok('rm', '-f', 'tx');
    await c.ok('rm', '-f', 'rx', 'probe');
    await a.ok('network', 'rm', 'bench', 'benchbr');
  } catch (err) {
    result.status = 'failed';
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await tn.cleanup();
  }
  return result;
}

/** The section's table and its targets (met / MISSED); what was measured before a failure is shown too. */
export function renderOverlay(r: OverlayResult): string {
  const row = (what: string, value: string, target: string, met: boolean) => `${what.padEnd(58)}${value.padStart(14)}  ${target.padEnd(10)}${met ? 'met' : 'MISSED'}`;
  const lines = ['Overlay (3 hosts, etcd, ctrnetd on each)', ''];
  if (r.reachMs.length) {
    const reach = median(r.reachMs);
    lines.push(row(`run -d on A until reached from C, median of ${r.reachMs.length}`, `${reach.toFixed(0)} ms`, '≤ 1000 ms', reach <= 1000));
    lines.push(`  samples (ms): ${r.reachMs.map((v) => v.toFixed(0)).join(' ')}`);
  }
  if (r.overlayGbps.length && r.plainGbps.length) {
    const ratio = median(r.overlayGbps) / median(r.plainGbps);
    lines.push(row('TCP throughput A→C, overlay / plain VXLAN', `${ratio.toFixed(2)}x`, '≥ 0.90x', ratio >= 0.9));
    // On a shared machine the best round is the steadier estimate of capacity; the target is on medians.
    const best = Math.max(...r.overlayGbps) / Math.max(...r.plainGbps);
    lines.push(`  overlay ${r.overlayGbps.map((v) => v.toFixed(2)).join(', ')} Gbit/s; plain VXLAN ${r.plainGbps.map((v) => v.toFixed(2)).join(', ')} Gbit/s; best rounds ${best.toFixed(2)}x`);
  }
  if (r.runOverlayMs.length && r.runBridgeMs.length) {
    const [runO, runB] = [median(r.runOverlayMs), median(r.runBridgeMs)];
    lines.push(row(`run -d on A, overlay / bridge, medians of ${r.runOverlayMs.length}`, `${(runO / runB).toFixed(2)}x`, '≤ 1.50x', runO / runB <= 1.5));
    lines.push(`  overlay ${runO.toFixed(0)} ms, bridge ${runB.toFixed(0)} ms`);
  }
  if (r.status !== 'ok') lines.push(`${r.status}: ${r.error}`);
  return lines.join('\n');
}
