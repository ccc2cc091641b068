import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import dnsPacket, { type Packet } from 'dns-packet';
import type { NetnsHandle, TestNamespaces } from '@ctrnet/testkit';
import type { DnsResolverOptions, DnsView } from '../../src/index.js';
import type { AgentRequest } from './agent.js';
import { decodeReply, type DecodedReply, type QueryOptions, type Target } from './dns-client.js';

const AGENT = fileURLToPath(new URL('./agent.js', import.meta.url));

/** A running agent process inside one namespace (see agent.ts). */
export interface Agent {
  pid: number;
  request<T = unknown>(request: AgentRequest): Promise<T>;
  /** Starts a resolver in the agent's namespace; resolves to its port. */
  startResolver(view: DnsView, listen: string[], options?: DnsResolverOptions): Promise<number>;
  /** A query sent from the agent's namespace, decoded; undefined when nothing came back. */
  query(target: Target, packet: Packet, opts?: QueryOptions & { tcp?: boolean }): Promise<DecodedReply | undefined>;
}

/** Starts an agent in `ns`; it is stopped by `tn`'s cleanup (by PID, through its handle). */
export function startAgent(tn: TestNamespaces, ns: NetnsHandle): Agent {
  const child = spawn('nsenter', [`--net=${ns.path}`, '--', process.execPath, AGENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  tn.defer(() => stopChild(child));
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  child.on('message', (raw: { seq: number; ok: boolean; result?: unknown; error?: { message: string; code?: string } }) => {
    const pending = waiting.get(raw.seq);
    waiting.delete(raw.seq);
    if (raw.ok) pending?.resolve(raw.result);
    else pending?.reject(Object.assign(new Error(raw.error!.message), { code: raw.error!.code }));
  });
  child.on('exit', (code) => {
    for (const p of waiting.values()) p.reject(new Error(`agent in ${ns.name} exited with ${code}`));
    waiting.clear();
  });
  const request = <T>(req: AgentRequest): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      seq++;
      waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ seq, ...req });
    });
  return {
    pid: child.pid!,
    request,
    startResolver: async (view, listen, options = {}) => (await request<{ port: number }>({ op: 'start', view, listen, options })).port,
    query: async (target, packet, opts = {}) => {
      const message = dnsPacket.encode(packet).toString('base64');
      const reply = await request<string | null>({ op: 'query', target, message, tcp: opts.tcp, source: opts.source, timeoutMs: opts.timeoutMs });
      return reply === null ? undefined : decodeReply(Buffer.from(reply, 'base64'));
    },
  };
}

/** Closes the channel (the agent exits by itself), then SIGKILL through the handle if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}
