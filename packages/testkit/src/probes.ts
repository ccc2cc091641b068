import createDebug from 'debug';
import { CtrnetError } from '@ctrnet/core';
import { describeNetns, execIn, type NetnsRef } from './netns.js';
import { HTTP_GET, TCP_CONNECT, UDP_REQUEST } from './scripts.js';

const debug = createDebug('ctrnet:testkit:probes');

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_HTTP_TIMEOUT_MS = 5000;

/**
 * Errors that mean "nothing answers there": a probe reports them as a plain
 * negative result. Anything else (a typo'd host, a bad port) still throws.
 */
const UNREACHABLE = new Set(['timeout', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

/** Options shared by the probes. */
export interface ProbeOptions {
  /** Give up after this long. */
  timeoutMs?: number;
}

/** An HTTP response as seen by {@link httpGet}. */
export interface HttpResponse {
  status: number;
  body: string;
}

/** GET `url` from inside `ns` (the current namespace when undefined); rejects on timeout, refusal or any network error. */
export async function httpGet(ns: NetnsRef | undefined, url: string, opts: ProbeOptions = {}): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const r = await runProbe<{ status?: number; body?: string; error?: string }>(ns, HTTP_GET, [url, String(timeoutMs)], `GET ${url}`);
  if (r.error !== undefined) {
    throw new CtrnetError('EXEC_FAILED', `GET ${url} from ${describeNetns(ns)} failed: ${r.error}; is a server listening there and routed from that namespace?`);
  }
  return { status: r.status!, body: r.body! };
}

/** True when a TCP connection to host:port succeeds from inside `ns`; false on refusal, unreachability or timeout (default 1000 ms). */
export async function canConnect(ns: NetnsRef | undefined, host: string, port: number, opts: ProbeOptions = {}): Promise<boolean> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = `TCP connect to ${host}:${port}`;
  const r = await runProbe<{ open: boolean; error?: string }>(ns, TCP_CONNECT, [host, String(port), String(timeoutMs)], what);
  if (!r.open) ensureUnreachable(r.error, what, ns);
  return r.open;
}

/**
 * Sends `message` to host:port over UDP from inside `ns` and returns the
 * first reply, or undefined when none arrives in time (default 1000 ms).
 */
export async function udpRequest(ns: NetnsRef | undefined, host: string, port: number, message: string, opts: ProbeOptions = {}): Promise<string | undefined> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = `UDP request to ${host}:${port}`;
  const r = await runProbe<{ reply?: string; error?: string }>(ns, UDP_REQUEST, [host, String(port), message, String(timeoutMs)], what);
  if (r.error !== undefined) ensureUnreachable(r.error, what, ns);
  return r.reply;
}

/** Throws unless `error` is one of the "nothing answers" errors. */
function ensureUnreachable(error: string | undefined, what: string, ns: NetnsRef | undefined): void {
  if (error !== undefined && !UNREACHABLE.has(error)) {
    throw new CtrnetError('EXEC_FAILED', `${what} from ${describeNetns(ns)} failed: ${error}; check the host and port`);
  }
}

/** Runs a client script under nsenter and parses the one JSON line it prints. */
async function runProbe<T>(ns: NetnsRef | undefined, script: string, args: readonly string[], what: string): Promise<T> {
  const out = await execIn(ns, [process.execPath, '-e', script, '--', ...args], { reject: false });
  debug('%s from %s: %s', what, describeNetns(ns), out.stdout.trim());
  try {
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as T;
  } catch (err) {
    // No JSON means the probe never ran: nsenter could not enter, node could not start, ...
    throw new CtrnetError('EXEC_FAILED', `${what} from ${describeNetns(ns)} could not run (exit ${out.exitCode}): ${out.stderr.trim()}`, { cause: err });
  }
}
