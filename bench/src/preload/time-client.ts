/**
 * `node --import time-client.js …` with $CTRNET_BENCH_TIMING_LOG set: writes
 * at exit when this preload ran (the end of Node's own start-up), when the
 * process exited, and each HTTP request's start and end (the client's
 * round trips to ctrnetd), all on Node's clock (ms since the process's
 * time origin). Only a diagnostics_channel subscription: nothing that
 * would change what the client loads or how long it takes.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** What one timed process reports. */
export interface ClientTiming {
  /** performance.now() when this preload ran: Node has booted, the program has not started. */
  preloadMs: number;
  /** performance.now() at process exit. */
  exitMs: number;
  /** Start and end of each HTTP request, in order. */
  requests: { startMs: number; endMs: number }[];
}

const log = process.env.CTRNET_BENCH_TIMING_LOG;
if (!log) throw new Error('time-client: set $CTRNET_BENCH_TIMING_LOG to the file the timings go to');
const timing: ClientTiming = { preloadMs: performance.now(), exitMs: 0, requests: [] };
const open: { startMs: number; endMs: number }[] = [];

subscribe('http.client.request.start', () => {
  const request = { startMs: performance.now(), endMs: Number.NaN };
  open.push(request);
  timing.requests.push(request);
});
subscribe('http.client.response.finish', () => {
  const request = open.shift();
  if (request) request.endMs = performance.now();
});
process.on('exit', () => {
  timing.exitMs = performance.now();
  writeFileSync(log, JSON.stringify(timing));
});
