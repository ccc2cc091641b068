/**
 * `node --require time-client.cjs …` with $CTRNET_BENCH_TIMING_LOG set:
 * writes at exit when this preload ran (the end of Node's own start-up),
 * when the process exited, and each connection's start and end (the
 * client's round trips to ctrnetd, one request per connection), all on
 * Node's clock (ms since the process's time origin). Only a
 * diagnostics_channel subscription, and CommonJS like the CLI's entry: an
 * ESM preload would start Node's ESM loader, which the fast path avoids.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What one timed process reports. */
export interface ClientTiming {
  /** performance.now() when this preload ran: Node has booted, the program has not started. */
  preloadMs: number;
  /** performance.now() at process exit. */
  exitMs: number;
  /** CPU time (user + system, every thread) at exit: unlike wall time, barely moved by other work on the machine. */
  cpuMs: number;
  /** Start (the socket is made) and end (it is closed) of each connection, in order. */
  requests: { startMs: number; endMs: number }[];
}

const log = process.env.CTRNET_BENCH_TIMING_LOG;
if (!log) throw new Error('time-client: set $CTRNET_BENCH_TIMING_LOG to the file the timings go to');
const timing: ClientTiming = { preloadMs: performance.now(), exitMs: 0, cpuMs: 0, requests: [] };

// The client speaks HTTP over node:net itself (packages/client/src/unix-http.ts), so node:http's channels stay silent.
subscribe('net.client.socket', (message) => {
  const request = { startMs: performance.now(), endMs: Number.NaN };
  timing.requests.push(request);
  (message as { socket: Socket }).socket.once('close', () => (request.endMs = performance.now()));
});
process.on('exit', () => {
  timing.exitMs = performance.now();
  const cpu = process.cpuUsage();
  timing.cpuMs = (cpu.user + cpu.system) / 1000;
  writeFileSync(log, JSON.stringify(timing));
});
