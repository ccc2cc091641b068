/**
 * `node --require time-server.cjs … daemon run` with
 * $CTRNET_BENCH_SERVER_LOG set: appends one line per HTTP request ctrnetd
 * answers, `<method> <url> <ms>`, the time from its head being parsed to the end of the
 * answer being handed to the socket (node:http's diagnostics_channel). The
 * start-up section subtracts it from a command's wall time: what is left
 * is what the thin client itself adds to `node -e 0`. Only a
 * subscription and one small append per request: ctrnetd runs unchanged.
 */
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

const log = process.env.CTRNET_BENCH_SERVER_LOG;
if (!log) throw new Error('time-server: set $CTRNET_BENCH_SERVER_LOG to the file the timings go to');
const started = new WeakMap<IncomingMessage, number>();

subscribe('http.server.request.start', (message) => started.set((message as { request: IncomingMessage }).request, performance.now()));
subscribe('http.server.response.finish', (message) => {
  const { request } = message as { request: IncomingMessage };
  const start = started.get(request);
  if (start !== undefined) appendFileSync(log, `${request.method} ${request.url} ${(performance.now() - start).toFixed(3)}\n`);
});
