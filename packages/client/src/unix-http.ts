/**
 * Just enough HTTP/1.1 over a unix socket for ctrnetd's wire: one request
 * per connection, a response with Content-Length or chunked encoding. Not
 * node:http: for a command that must start within ~10 ms of `node -e 0`,
 * loading node:http and the IPv6 check its client runs on every request's
 * Host header cost 10+ ms (measured by the bench's start-up profile).
 */
import { connect, type Socket } from 'node:net';

/** The socket could not be reached: nothing was sent (so a caller may safely do the work elsewhere). */
export class NotConnected extends Error {
  constructor(readonly cause: NodeJS.ErrnoException) {
    super(cause.code ?? cause.message);
  }
}

export interface UnixResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as it arrives (chunked encoding already removed). */
  body: AsyncIterable<Buffer>;
  /** Stop reading and close the connection. */
  close(): void;
}

/** Send one request; resolves once the response head has arrived. */
export function unixRequest(socketPath: string, method: string, path: string, headers: Record<string, string>, body?: string, signal?: AbortSignal): Promise<UnixResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const abort = () => socket.destroy(new Error('aborted'));
    signal?.addEventListener('abort', abort, { once: true });
    let connected = false;
    socket.once('error', (err: NodeJS.ErrnoException) => reject(connected ? err : new NotConnected(err)));
    socket.once('connect', () => (connected = true));
    const payload = body === undefined ? '' : body;
    const head = [`${method} ${path} HTTP/1.1`, 'host: ctrnetd', 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body !== undefined) head.push(`content-length: ${Buffer.byteLength(payload)}`);
    // Written at once: node:net holds it until the connection is made, and a refused connection sends nothing.
    socket.write(`${head.join('\r\n')}\r\n\r\n${payload}`);
    readHead(socket).then(resolve, (err: unknown) => reject(connected ? err : new NotConnected(err as NodeJS.ErrnoException)));
  });
}

/** Read the status line and headers, then hand over the rest as the body. */
async function readHead(socket: Socket): Promise<UnixResponse> {
  let buffered = Buffer.alloc(0);
  const chunks = chunksOf(socket);
  let end = -1;
  while (end < 0) {
    const next = await chunks.next();
    if (next.done) throw new Error('ctrnetd closed the connection before answering');
    buffered = Buffer.concat([buffered, next.value]);
    end = buffered.indexOf('\r\n\r\n');
  }
  const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) throw new Error(`ctrnetd sent something that is not HTTP: ${JSON.stringify(statusLine?.slice(0, 60))}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = buffered.subarray(end + 4);
  const raw = rawBody(rest, chunks);
  return { status, headers, body: headers['transfer-encoding'] === 'chunked' ? dechunk(raw) : limited(raw, Number(headers['content-length'] ?? Infinity)), close: () => socket.destroy() };
}

/**
 * The socket's data, in order, from its events. Not Readable's own async
 * iterator: in a process that makes one request and exits, setting that
 * machinery up the first time cost more than the request (the bench's
 * start-up profile). Responses are small, so there is no backpressure.
 */
function chunksOf(socket: Socket): AsyncIterator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  socket.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    notify();
  });
  socket.once('end', () => {
    ended = true;
    notify();
  });
  socket.once('close', () => {
    ended = true;
    notify();
  });
  socket.once('error', (err: Error) => {
    failure = err;
    notify();
  });
  return {
    async next(): Promise<IteratorResult<Buffer>> {
      while (!queue.length && !ended && !failure) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (queue.length) return { done: false, value: queue.shift()! };
      if (failure) throw failure;
      return { done: true, value: undefined };
    },
  };
}

async function* rawBody(first: Buffer, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length) yield first;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* limited(source: AsyncGenerator<Buffer>, length: number): AsyncGenerator<Buffer> {
  let left = length;
  for await (const chunk of source) {
    if (left <= 0) return;
    const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
    left -= part.length;
    yield part;
  }
}

/** Remove chunked transfer encoding: `SIZE\r\nDATA\r\n` ... `0\r\n\r\n`. */
async function* dechunk(source: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  let pending = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const lineEnd = pending.indexOf('\r\n');
      if (lineEnd < 0) break;
      const size = parseInt(pending.subarray(0, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('ctrnetd sent a malformed chunked body');
      if (size === 0) return;
      if (pending.length < lineEnd + 2 + size + 2) break;
      yield pending.subarray(lineEnd + 2, lineEnd + 2 + size);
      pending = pending.subarray(lineEnd + 2 + size + 2);
    }
  }
}

/** The whole body as text. */
export async function readText(res: UnixResponse): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of res.body) parts.push(chunk);
  res.close();
  return Buffer.concat(parts).toString('utf8');
}
