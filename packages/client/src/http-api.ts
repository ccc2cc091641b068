import { Agent, request, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import createDebug from 'debug';
import { CtrnetError, ERROR_CODES, type ApiMethod, type ApiRequest, type ApiResponse, type CtrnetApi, type ErrorCode, type EventRecord } from '@ctrnet/core/api';
import { API_PREFIX, EVENTS_PATH, FINGERPRINT_HEADER, MISDIRECTED, PING_PATH, type WireError } from './wire.js';

const debug = createDebug('ctrnet:client:http');

/** The daemon did not answer, or answered "configured otherwise"; `auto` mode falls back to in-process. */
export class DaemonUnavailable extends Error {
  constructor(message: string, readonly reason: 'absent' | 'misdirected') {
    super(message);
  }
}

/**
 * The runtime API over ctrnetd's unix socket. Errors come back as the same
 * CtrnetError (code and message) the in-process API would have thrown.
 */
export class HttpApi implements CtrnetApi {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    readonly socketPath: string,
    private readonly fingerprint: string,
  ) {}

  /** Resolves when the daemon answers and serves this client's config; rejects with DaemonUnavailable otherwise. */
  async ping(): Promise<void> {
    // Any failure to reach the socket (missing, refused, not a directory, a path too long) means "no daemon here".
    const res = await this.send('GET', PING_PATH).catch((err: unknown) => {
      throw err instanceof DaemonUnavailable ? err : new DaemonUnavailable(`no ctrnetd answers at ${this.socketPath} (${(err as Error).message})`, 'absent');
    });
    const body = await readBody(res);
    if (res.statusCode === 204) return;
    if (res.statusCode === MISDIRECTED) throw new DaemonUnavailable(errorOf(body).message, 'misdirected');
    throw new DaemonUnavailable(`ctrnetd at ${this.socketPath} answered ${res.statusCode} to a ping`, 'absent');
  }

  async call<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> {
    const res = await this.send('POST', API_PREFIX + method, JSON.stringify(req));
    const body = await readBody(res);
    if (res.statusCode === 200) return JSON.parse(body) as ApiResponse<M>;
    const err = errorOf(body);
    throw new CtrnetError(isErrorCode(err.code) ? err.code : 'INTERNAL', err.message);
  }

  async follow(after: number, onEvent: (event: EventRecord) => void, signal: AbortSignal): Promise<void> {
    const res = await this.send('GET', `${EVENTS_PATH}?after=${after}`, undefined, signal).catch((err: Error) => {
      if (signal.aborted) return undefined;
      throw err;
    });
    if (!res) return;
    if (res.statusCode !== 200) throw new CtrnetError('DAEMON_UNAVAILABLE', errorOf(await readBody(res)).message);
    const lines = createInterface({ input: res });
    signal.addEventListener('abort', () => res.destroy(), { once: true });
    await new Promise<void>((resolve) => {
      lines.on('line', (line) => line && onEvent(JSON.parse(line) as EventRecord));
      res.on('close', resolve);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private send(method: 'GET' | 'POST', path: string, body?: string, signal?: AbortSignal): Promise<IncomingMessage> {
    debug('%s %s', method, path);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path,
          method,
          agent: this.agent,
          signal,
          headers: { [FINGERPRINT_HEADER]: this.fingerprint, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) },
        },
        resolve,
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'EACCES') {
          reject(new DaemonUnavailable(`no ctrnetd answers at ${this.socketPath} (${err.code})`, 'absent'));
        } else {
          reject(new CtrnetError('DAEMON_UNAVAILABLE', `lost the connection to ctrnetd at ${this.socketPath} (${err.code ?? err.message}); check it with: ctrnet daemon status`));
        }
      });
      req.end(body);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function errorOf(body: string): WireError['error'] {
  try {
    const parsed = JSON.parse(body) as Partial<WireError>;
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error;
  } catch {
    // not JSON: fall through
  }
  return { code: 'INTERNAL', message: `ctrnetd sent an answer the client cannot read: ${body.slice(0, 120)}` };
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
