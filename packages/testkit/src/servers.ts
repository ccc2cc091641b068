import { CtrnetError } from '@ctrnet/core';
import type { TestNamespaces } from './namespaces.js';
import { describeNetns, type NetnsRef } from './netns.js';
import { CLIENT_ADDRESS_REPLY, HTTP_SERVER, READY_MARKER, UDP_ECHO } from './scripts.js';

/** A server can take a moment to start under load; failure is normally instant. */
const START_TIMEOUT_MS = 10_000;

/** A server started in a test namespace; also stopped by the registry's cleanup. */
export interface TestServer {
  pid: number;
  stop(): Promise<void>;
}

/** Where a test server listens. */
export interface ServerOptions {
  port: number;
  /** Address to bind; default 0.0.0.0 (every address in the namespace). */
  host?: string;
}

/** Starts a tiny HTTP server inside `ns` answering every request with `body` (default "hello from <host>:<port>"). */
export function startHttpServer(tn: TestNamespaces, ns: NetnsRef, opts: ServerOptions & { body?: string }): Promise<TestServer> {
  const host = opts.host ?? '0.0.0.0';
  const body = opts.body ?? `hello from ${host}:${opts.port}`;
  return startServer(tn, ns, HTTP_SERVER, [host, String(opts.port), body], `HTTP server on ${host}:${opts.port}`);
}

/**
 * Starts an HTTP server inside `ns` that answers every request with the
 * client's address as it sees it: tells a masqueraded connection from one
 * that kept its source.
 */
export function startAddressEcho(tn: TestNamespaces, ns: NetnsRef, opts: ServerOptions): Promise<TestServer> {
  const host = opts.host ?? '0.0.0.0';
  return startServer(tn, ns, HTTP_SERVER, [host, String(opts.port), '', CLIENT_ADDRESS_REPLY], `address echo server on ${host}:${opts.port}`);
}

/** Starts a UDP server inside `ns` that sends every datagram back prefixed "echo:". */
export function startUdpEcho(tn: TestNamespaces, ns: NetnsRef, opts: ServerOptions): Promise<TestServer> {
  const host = opts.host ?? '0.0.0.0';
  return startServer(tn, ns, UDP_ECHO, [host, String(opts.port)], `UDP echo server on ${host}:${opts.port}`);
}

/** Spawns a server script and resolves once it reports it is bound; rejects with its output if it is not. */
async function startServer(tn: TestNamespaces, ns: NetnsRef, script: string, args: readonly string[], what: string): Promise<TestServer> {
  const proc = tn.spawn(ns, [process.execPath, '-e', script, '--', ...args]);
  try {
    await proc.waitForOutput(READY_MARKER, START_TIMEOUT_MS);
  } catch (err) {
    await proc.stop();
    throw new CtrnetError('EXEC_FAILED', `${what} in ${describeNetns(ns)} did not start: ${proc.output().trim() || 'no output'}`, { cause: err });
  }
  return { pid: proc.pid, stop: proc.stop };
}
