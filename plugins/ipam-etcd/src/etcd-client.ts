/**
 * A small etcd v3 client over etcd's JSON gateway (`/v3/kv/*`, `/v3/lease/*`,
 * `/v3/watch`), on node:http with keep-alive. Chosen over the `etcd3`
 * package: that one brings gRPC and protobuf (37 packages, 16 MB) and takes
 * ~300 ms to import, which every in-process command would pay; this takes
 * nothing, and a request costs about 1 ms on a LAN either way.
 *
 * Keys and values are strings here and base64 on the wire; the gateway
 * writes int64 fields as strings. Every failure to reach etcd becomes one
 * CtrnetError UNAVAILABLE naming the URLs and what to do.
 */
import http from 'node:http';
import createDebug from 'debug';
import { CtrnetError } from '@ctrnet/core';

const debug = createDebug('ctrnet:ipam-etcd:client');

/**
 * One request's limit. etcd on a LAN answers in milliseconds, and a stopped
 * etcd is refused at once; this only bounds a store that does not answer at
 * all (a dead host, or one so loaded that its fsyncs take seconds).
 */
const REQUEST_TIMEOUT_MS = 5000;

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  /** Lease id the key is bound to, or '0'. */
  lease: string;
}

/** A comparison of a txn, on one key or (with `rangeEnd`) on every key of a range. */
export interface Compare {
  key: string;
  rangeEnd?: string;
  target: 'CREATE' | 'MOD' | 'VALUE';
  result: 'EQUAL' | 'LESS' | 'GREATER' | 'NOT_EQUAL';
  /** The revision compared with (CREATE, MOD) or the value (VALUE). */
  operand: number | string;
}

export type Operation =
  | { put: { key: string; value: string; lease?: string } }
  | { deleteRange: { key: string; rangeEnd?: string } }
  | { range: { key: string; rangeEnd?: string } };

export interface TxnResult {
  succeeded: boolean;
  revision: number;
  /** Key-values of each `range` operation that ran, in order. */
  ranges: KeyValue[][];
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prev?: KeyValue;
}

/** A watch in progress. */
export interface Watch {
  /** Resolves when the stream ends (etcd gone, closed); rejects never. */
  readonly ended: Promise<void>;
  close(): void;
}

/** The end of the range of keys starting with `prefix` (etcd's `WithPrefix`). */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  bytes[bytes.length - 1]!++;
  return bytes.toString();
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString() : '');

interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  lease?: string;
}

function kvOf(raw: RawKv): KeyValue {
  return {
    key: unb64(raw.key),
    value: unb64(raw.value),
    createRevision: Number(raw.create_revision ?? 0),
    modRevision: Number(raw.mod_revision ?? 0),
    lease: raw.lease ?? '0',
  };
}

function compareOf(c: Compare): Record<string, string> {
  const field = c.target === 'CREATE' ? 'create_revision' : c.target === 'MOD' ? 'mod_revision' : 'value';
  return {
    key: b64(c.key),
    ...(c.rangeEnd ? { range_end: b64(c.rangeEnd) } : {}),
    target: c.target,
    result: c.result,
    [field]: c.target === 'VALUE' ? b64(String(c.operand)) : String(c.operand),
  };
}

function operationOf(op: Operation): Record<string, unknown> {
  if ('put' in op) return { request_put: { key: b64(op.put.key), value: b64(op.put.value), ...(op.put.lease ? { lease: op.put.lease } : {}) } };
  if ('deleteRange' in op) return { request_delete_range: { key: b64(op.deleteRange.key), ...(op.deleteRange.rangeEnd ? { range_end: b64(op.deleteRange.rangeEnd) } : {}) } };
  return { request_range: { key: b64(op.range.key), ...(op.range.rangeEnd ? { range_end: b64(op.range.rangeEnd) } : {}) } };
}

export class EtcdClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  /** Index of the URL that answered last: tried first next time. */
  private preferred = 0;

  constructor(readonly urls: readonly string[]) {}

  async range(key: string, rangeEnd?: string): Promise<{ kvs: KeyValue[]; revision: number }> {
    const r = await this.call<{ kvs?: RawKv[]; header: { revision: string } }>('/v3/kv/range', { key: b64(key), ...(rangeEnd ? { range_end: b64(rangeEnd) } : {}) });
    return { kvs: (r.kvs ?? []).map(kvOf), revision: Number(r.header.revision) };
  }

  /** Every key starting with `prefix`. */
  prefix(prefix: string): Promise<{ kvs: KeyValue[]; revision: number }> {
    return this.range(prefix, prefixEnd(prefix));
  }

  async put(key: string, value: string, lease?: string): Promise<void> {
    await this.call('/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) });
  }

  async deleteRange(key: string, rangeEnd?: string): Promise<void> {
    await this.call('/v3/kv/deleterange', { key: b64(key), ...(rangeEnd ? { range_end: b64(rangeEnd) } : {}) });
  }

  async txn(compare: readonly Compare[], success: readonly Operation[], failure: readonly Operation[] = []): Promise<TxnResult> {
    const r = await this.call<{ succeeded?: boolean; header: { revision: string }; responses?: { response_range?: { kvs?: RawKv[] } }[] }>('/v3/kv/txn', {
      compare: compare.map(compareOf),
      success: success.map(operationOf),
      failure: failure.map(operationOf),
    });
    return {
      succeeded: r.succeeded === true,
      revision: Number(r.header.revision),
      ranges: (r.responses ?? []).filter((x) => x.response_range).map((x) => (x.response_range!.kvs ?? []).map(kvOf)),
    };
  }

  async leaseGrant(ttlSeconds: number): Promise<string> {
    const r = await this.call<{ ID: string }>('/v3/lease/grant', { TTL: String(ttlSeconds) });
    return r.ID;
  }

  /** Renew a lease; false when it no longer exists (expired, revoked). */
  async leaseKeepAlive(id: string): Promise<boolean> {
    const r = await this.call<{ result?: { TTL?: string } }>('/v3/lease/keepalive', { ID: id });
    return Number(r.result?.TTL ?? 0) > 0;
  }

  async leaseRevoke(id: string): Promise<void> {
    await this.call('/v3/lease/revoke', { ID: id }).catch((err: unknown) => debug('revoke %s: %s', id, (err as Error).message));
  }

  /**
   * Watch every key starting with `prefix`, from `fromRevision` on.
   * `onEvents` gets each batch in order; the stream ends when etcd goes
   * away or the revision was compacted (the caller then reads afresh).
   */
  watch(prefix: string, fromRevision: number, onEvents: (events: WatchEvent[], revision: number) => void): Watch {
    let request: http.ClientRequest | undefined;
    let closed = false;
    const ended = new Promise<void>((resolve) => {
      const url = new URL('/v3/watch', this.urls[this.preferred]);
      request = http.request(url, { method: 'POST', agent: false }, (response) => {
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) this.watchLine(line, onEvents, () => request?.destroy());
          }
        });
        response.on('end', () => resolve());
        response.on('error', () => resolve());
      });
      request.on('error', (err) => {
        if (!closed) debug('watch %s: %s', prefix, err.message);
        resolve();
      });
      request.end(JSON.stringify({ create_request: { key: b64(prefix), range_end: b64(prefixEnd(prefix)), start_revision: String(fromRevision), prev_kv: true } }));
    });
    return {
      ended,
      close: () => {
        closed = true;
        request?.destroy();
      },
    };
  }

  /** Release the keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private watchLine(line: string, onEvents: (events: WatchEvent[], revision: number) => void, end: () => void): void {
    const message = JSON.parse(line) as {
      result?: { header?: { revision?: string }; events?: { type?: string; kv: RawKv; prev_kv?: RawKv }[]; canceled?: boolean; compact_revision?: string };
      error?: unknown;
    };
    const result = message.result;
    if (!result || result.canceled || message.error) {
      debug('watch cancelled: %s', line.slice(0, 200));
      end();
      return;
    }
    const events = (result.events ?? []).map((e) => ({
      // The gateway leaves out enum values that are 0, and PUT is 0.
      type: e.type === 'DELETE' ? ('DELETE' as const) : ('PUT' as const),
      kv: kvOf(e.kv),
      prev: e.prev_kv ? kvOf(e.prev_kv) : undefined,
    }));
    if (events.length) onEvents(events, Number(result.header?.revision ?? 0));
  }

  /** POST one JSON request to the first URL that answers. */
  private async call<T = unknown>(path: string, body: unknown): Promise<T> {
    const payload = JSON.stringify(body);
    const errors: string[] = [];
    for (let i = 0; i < this.urls.length; i++) {
      const index = (this.preferred + i) % this.urls.length;
      try {
        const result = await this.post<T>(new URL(path, this.urls[index]), payload);
        this.preferred = index;
        return result;
      } catch (err) {
        if (err instanceof CtrnetError) throw err;
        errors.push(`${this.urls[index]}: ${(err as Error).message}`);
      }
    }
    throw new CtrnetError(
      'UNAVAILABLE',
      `the cluster store (etcd) does not answer (${errors.join('; ')}); start etcd or fix cluster.etcd in the config — running containers keep their network`,
    );
  }

  private post<T>(url: URL, payload: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request = http.request(url, { method: 'POST', agent: this.agent, timeout: REQUEST_TIMEOUT_MS, headers: { 'content-type': 'application/json' } }, (response) => {
        let data = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (data += chunk));
        response.on('end', () => {
          let parsed: { error?: string; message?: string } & Record<string, unknown>;
          try {
            parsed = JSON.parse(data) as typeof parsed;
          } catch {
            reject(new Error(`HTTP ${response.statusCode}: ${data.slice(0, 200)}`));
            return;
          }
          if ((response.statusCode ?? 500) >= 400 || parsed.error) {
            // etcd answered: a refusal, not an outage (e.g. "requested lease not found").
            reject(new CtrnetError('INTERNAL', `etcd refused ${url.pathname}: ${parsed.message ?? parsed.error ?? data.slice(0, 200)}`));
            return;
          }
          resolve(parsed as T);
        });
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      request.on('error', reject);
      request.end(payload);
    });
  }
}
