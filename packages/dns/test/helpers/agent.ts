/**
 * A helper process for tests in network namespaces. Node cannot setns(), so
 * the test starts this file under `nsenter --net=...` and drives it over the
 * IPC channel: it runs a resolver there, or sends queries from there.
 * Requests are `{ seq, op, ...args }`; every one gets `{ seq, ok, result | error }`.
 */
import { DnsResolver, type DnsResolverOptions, type DnsView } from '../../src/index.js';
import { frame, tcpRaw, udpRaw, type Target } from './dns-client.js';

export type AgentRequest =
  | { op: 'start'; view: DnsView; options: DnsResolverOptions; listen: string[] }
  | { op: 'update'; view: DnsView }
  | { op: 'listen'; addresses: string[] }
  | { op: 'unlisten'; addresses: string[] }
  | { op: 'query'; target: Target; message: string; tcp?: boolean; source?: string; timeoutMs?: number };

let resolver: DnsResolver | undefined;

async function serve(request: AgentRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      resolver = new DnsResolver(request.view, request.options);
      await resolver.listen(request.listen);
      return { port: resolver.port };
    case 'update':
      return resolver!.update(request.view);
    case 'listen':
      return resolver!.listen(request.addresses);
    case 'unlisten':
      return resolver!.unlisten(request.addresses);
    case 'query': {
      const bytes = Buffer.from(request.message, 'base64');
      const opts = { source: request.source, timeoutMs: request.timeoutMs };
      const reply = request.tcp ? (await tcpRaw(request.target, [frame(bytes)], 1, opts)).replies[0] : await udpRaw(request.target, bytes, opts);
      return reply ? reply.toString('base64') : null;
    }
  }
}

process.on('message', (raw: { seq: number } & AgentRequest) => {
  serve(raw).then(
    (result) => process.send!({ seq: raw.seq, ok: true, result }),
    (err: Error & { code?: string }) => process.send!({ seq: raw.seq, ok: false, error: { message: err.message, code: err.code } }),
  );
});
// The test closing the channel (or dying) ends the agent.
process.on('disconnect', () => {
  void (resolver?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
