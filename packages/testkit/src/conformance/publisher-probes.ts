/** Probes the publisher behaviour suites share: who a server saw, and paths that must stay closed. */
import { expect } from 'chai';
import type { NetnsHandle } from '../netns.js';
import { canConnect, httpGet } from '../probes.js';

/** A negative probe waits out its timeout; inside namespaces a real answer takes well under a millisecond. */
export const BLOCKED_TIMEOUT_MS = 500;

/** `host:port` for a URL or a message: an IPv6 address in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The client address the address echo at host:port saw, asked from inside
 * `ns`. An IPv4 client of a server bound to `::` shows as `::ffff:a.b.c.d`;
 * that prefix is dropped, so the answer reads the same for either binding.
 */
export async function seenAs(ns: NetnsHandle, host: string, port: number): Promise<string> {
  const url = `http://${hostPort(host, port)}/`;
  const res = await httpGet(ns, url);
  expect(res.status, `GET ${url} from ${ns.name}`).to.equal(200);
  return res.body.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/** A TCP connection attempt: from a namespace to host:port. */
export type Path = readonly [from: NetnsHandle, host: string, port: number];

/** No TCP connection may open along any of `paths` (probed together); a failure names those that did. */
export async function expectBlocked(what: string, ...paths: Path[]): Promise<void> {
  const open = await Promise.all(paths.map(([ns, host, port]) => canConnect(ns, host, port, { timeoutMs: BLOCKED_TIMEOUT_MS })));
  const through = paths.filter((_, i) => open[i]).map(([ns, host, port]) => `${ns.name} -> ${hostPort(host, port)}`);
  expect(through, `${what}: these connected`).to.deep.equal([]);
}
