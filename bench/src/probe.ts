/**
 * The data-plane client, run as its own small process in the namespace it
 * measures from (a bench host namespace, or the LAN namespace through
 * nsenter), so every path is measured by the same code in the same way.
 *
 *   node probe.js '{"mode":"wait","targets":[{"host":"127.0.0.1","port":20000}],"marker":"...","timeoutMs":15000}'
 *     waits until an HTTP GET to every target returns a body containing marker
 *   node probe.js '{"mode":"connect","targets":[A,B],"warmup":20,"count":300,"timeoutMs":2000}'
 *     prints {"samplesMs":[[...A],[...B]]}: `count` sequential TCP connects per
 *     target, after `warmup` untimed ones, alternating A, B, A, B… so that
 *     whatever else the machine does hits every target alike
 *   node probe.js '{"mode":"on-demand","targets":[A],"warmup":20,"timeoutMs":2000}'
 *     after the warmup prints "ready", then for every line read on stdin
 *     connects once and prints the time: lets main.ts alternate connects
 *     between clients that must live in different namespaces
 *
 * Every connection is new, so its SYN is the first packet of a conntrack
 * entry and goes through the NAT rules: that lookup is what is measured.
 */
import { get } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Target {
  host: string;
  port: number;
}

export type ProbeSpec =
  | { mode: 'wait'; targets: Target[]; marker: string; timeoutMs: number }
  | { mode: 'connect'; targets: Target[]; warmup: number; count: number; timeoutMs: number }
  | { mode: 'on-demand'; targets: [Target]; warmup: number; timeoutMs: number };

/** Milliseconds from connect() to the handshake completing; the socket is closed before resolving. */
function timeConnect({ host, port }: Target, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} took over ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      const ms = performance.now() - start;
      clearTimeout(timer);
      socket.once('close', () => resolve(ms));
      socket.destroy();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function httpBody({ host, port }: Target, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get({ host, port, path: '/', timeout: timeoutMs, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

async function waitForServer(target: Target, marker: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no attempt';
  while (performance.now() < deadline) {
    try {
      const body = await httpBody(target, 1000);
      if (body.includes(marker)) return;
      last = `unexpected answer ${JSON.stringify(body.slice(0, 80))}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(50);
  }
  throw new Error(`the web container did not answer on ${target.host}:${target.port} within ${timeoutMs} ms (last: ${last})`);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ProbeSpec;
  if (spec.mode === 'wait') {
    for (const target of spec.targets) await waitForServer(target, spec.marker, spec.timeoutMs);
    return;
  }
  for (let k = 0; k < spec.warmup; k++) {
    for (const target of spec.targets) await timeConnect(target, spec.timeoutMs);
  }
  if (spec.mode === 'on-demand') {
    process.stdout.write('ready\n');
    // One connect per request line; ends when main closes stdin.
    for await (const _ of createInterface({ input: process.stdin })) {
      process.stdout.write(`${await timeConnect(spec.targets[0], spec.timeoutMs)}\n`);
    }
    return;
  }
  const samplesMs: number[][] = spec.targets.map(() => []);
  for (let k = 0; k < spec.count; k++) {
    // Alternate which target goes first, so neither always follows the other.
    const order = k % 2 === 0 ? spec.targets.keys() : [...spec.targets.keys()].reverse();
    for (const t of order) samplesMs[t]!.push(await timeConnect(spec.targets[t]!, spec.timeoutMs));
  }
  process.stdout.write(JSON.stringify({ samplesMs }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
