/**
 * The IPv6 loopback proxy: how `[::1]:PORT` reaches a published port.
 *
 * IPv4 localhost publishing is pure kernel work (DNAT in nat output,
 * masquerade, `route_localnet` on the bridge). IPv6 has no
 * `route_localnet`: the kernel drops a packet whose destination is ::1 on
 * any interface but lo (RFC 4291 2.5.3), and it applies that to the reply
 * of a DNATed connection after conntrack has turned its destination back
 * into ::1 (measured: the SYN-ACK is counted in Ip6InHdrErrors). Docker
 * reaches `[::1]` through its userland proxy (docker-proxy); netavark does
 * not reach it at all (containers/netavark#790). ctrnet runs a proxy only
 * for this one case: one small process per container whose IPv6 ports are
 * published on `::` or `::1`, listening on [::1] and connecting to the
 * container. The publishers leave ::1 alone, so the proxy gets those
 * connections. TCP and UDP; SCTP on ::1 is not supported.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import type { PortBinding } from '../types.js';
import { isAlive, processStartTime, stopProcess } from './processes.js';

const debug = createDebug('ctrnet:core:loopback-proxy');

/** One port the proxy forwards: [::1]:port → [host]:targetPort. */
export interface ProxyTarget {
  protocol: 'tcp' | 'udp';
  port: number;
  host: string;
  targetPort: number;
}

/** The proxy's pid file in the container's state folder: `PID START-TIME`. */
const PID_FILE = 'loopback-proxy.pid';
const LOG_FILE = 'loopback-proxy.log';
const READY = 'ctrnet-loopback-proxy:ready';
const START_TIMEOUT_MS = 5000;
/** A UDP client's upstream socket is dropped after this long without traffic, as conntrack forgets an idle UDP flow. */
const UDP_IDLE_MS = 60_000;

/** The bindings a loopback proxy must carry: NATed IPv6 TCP and UDP ports on :: or ::1. */
export function loopbackTargets(bindings: readonly PortBinding[]): ProxyTarget[] {
  return bindings
    .filter((b) => !b.routed && (b.hostIp === '::' || b.hostIp === '::1') && b.protocol !== 'sctp')
    .map((b) => ({ protocol: b.protocol as 'tcp' | 'udp', port: b.hostPort, host: b.containerIp, targetPort: b.containerPort }));
}

/**
 * The proxy program, run as `node -e SCRIPT -- TARGETS_JSON`. It prints the
 * ready line once every listener is bound, or exits 1 naming the port it
 * could not bind. Connections are spliced both ways, each direction closed
 * when its sender closes it; an error on either side ends both.
 */
const SCRIPT = `
process.title = 'ctrnet-loopback-proxy';
const net = require('node:net'), dgram = require('node:dgram');
const targets = JSON.parse(process.argv[1]);
let pending = targets.length;
const ready = () => { if (--pending === 0) { process.stdout.write(${JSON.stringify(READY)} + '\\n'); process.stdout.end(); } };
const fail = (t) => (e) => { process.stderr.write('[::1]:' + t.port + '/' + t.protocol + ': ' + e.message + '\\n'); process.exit(1); };
for (const t of targets) {
  if (t.protocol === 'tcp') {
    // Half-open both ways, so a client's FIN reaches the container and its reply still comes back.
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      const upstream = net.connect({ port: t.targetPort, host: t.host, allowHalfOpen: true });
      const fail = () => { client.destroy(); upstream.destroy(); };
      client.on('error', fail);
      upstream.on('error', fail);
      client.pipe(upstream).pipe(client);
    });
    server.once('error', fail(t));
    server.listen({ host: '::1', port: t.port, ipv6Only: true, exclusive: true }, ready);
  } else {
    const socket = dgram.createSocket({ type: 'udp6', ipv6Only: true });
    const flows = new Map();
    socket.once('error', fail(t));
    socket.on('message', (msg, from) => {
      const key = from.address + ' ' + from.port;
      let flow = flows.get(key);
      if (!flow) {
        const upstream = dgram.createSocket('udp6');
        flow = { upstream, timer: undefined };
        upstream.on('message', (reply) => { socket.send(reply, from.port, from.address); touch(); });
        upstream.on('error', () => { upstream.close(); flows.delete(key); });
        flows.set(key, flow);
      }
      const touch = () => { clearTimeout(flow.timer); flow.timer = setTimeout(() => { flow.upstream.close(); flows.delete(key); }, ${UDP_IDLE_MS}); };
      touch();
      flow.upstream.send(msg, t.targetPort, t.host);
    });
    socket.bind({ address: '::1', port: t.port, exclusive: true }, ready);
  }
}
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * Start the container's proxy in the background and wait until it listens.
 * Its pid goes into the container's folder at once, before the wait, so
 * {@link stopLoopbackProxy} (the saga's undo, detach, gc) finds it even
 * after a crash.
 *
 * @throws CtrnetError CONFLICT when a port on [::1] is taken; EXEC_FAILED when the proxy does not start.
 */
export async function startLoopbackProxy(dir: string, targets: readonly ProxyTarget[]): Promise<void> {
  if (targets.length === 0) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logPath = join(dir, LOG_FILE);
  const log = openSync(logPath, 'w', 0o600);
  try {
    const child = spawn(process.execPath, ['-e', SCRIPT, '--', JSON.stringify(targets)], { detached: true, stdio: ['ignore', 'pipe', log] });
    if (child.pid !== undefined) writeFileSync(join(dir, PID_FILE), `${child.pid} ${processStartTime(child.pid) ?? ''}`, { mode: 0o600 });
    const started = await new Promise<boolean>((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(READY)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    child.stdout!.destroy();
    child.unref();
    if (!started || child.pid === undefined) {
      await stopLoopbackProxy(dir);
      const why = readFileSync(logPath, 'utf8').trim().split('\n').pop() || 'no output';
      const taken = /EADDRINUSE/.test(why);
      throw new CtrnetError(taken ? 'CONFLICT' : 'EXEC_FAILED', `cannot publish on [::1]: the IPv6 loopback proxy did not start (${why})${taken ? '; choose another host port' : ''}`);
    }
    debug('proxy pid %d for %o', child.pid, targets);
  } finally {
    closeSync(log);
  }
}

/** Stop the container's proxy, if it runs. Idempotent. */
export async function stopLoopbackProxy(dir: string): Promise<void> {
  const recorded = readProxyPid(dir);
  if (recorded) await stopProcess(recorded.pid, recorded.start, 1000);
  rmSync(join(dir, PID_FILE), { force: true });
}

/** Whether the container's proxy runs (false when it never started or died). */
export function loopbackProxyAlive(dir: string): boolean {
  const recorded = readProxyPid(dir);
  return recorded !== undefined && isAlive(recorded.pid, recorded.start);
}

function readProxyPid(dir: string): { pid: number; start: string | undefined } | undefined {
  try {
    const [pid, start] = readFileSync(join(dir, PID_FILE), 'utf8').trim().split(' ');
    return Number(pid) > 0 ? { pid: Number(pid), start: start || undefined } : undefined;
  } catch {
    return undefined;
  }
}
