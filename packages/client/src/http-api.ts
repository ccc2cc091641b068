import { CtrnetError, ERROR_CODES, type ApiMethod, type ApiRequest, type ApiResponse, type CtrnetApi, type ErrorCode, type EventRecord } from '@ctrnet/core/api';
import { NotConnected, readText, unixRequest, type UnixResponse } from './unix-http.js';
import { API_PREFIX, EVENTS_PATH, FINGERPRINT_HEADER, MISDIRECTED, PING_PATH, type WireError } from './wire.js';

/** The daemon did not answer, or answered "configured otherwise"; `auto` mode falls back to in-process. */
export class DaemonUnavailable extends Error {
  constructor(message: string, readonly reason: 'absent' | 'misdirected') {
    super(message);
  }
}

/**
 * The runtime API over ctrnetd's unix socket. Errors come back as the same
 * CtrnetError (code and message) the in-process API would have thrown. No
 * ping first: the first call itself says whether a daemon serves this
 * client (DaemonUnavailable before anything was done, so the caller can run
 * it in-process instead).
 */
export class HttpApi implements CtrnetApi {
  /** Whether the daemon has answered a call: after that, losing it is an error, not a reason to run in-process. */
  answered = false;

  constructor(
    readonly socketPath: string,
    private readonly fingerprint: string,
  ) {}

  /** Resolves when the daemon answers and serves this client's config; rejects with DaemonUnavailable otherwise. */
  async ping(): Promise<void> {
    const res = await this.send('GET', PING_PATH);
    const body = await readText(res);
    if (res.status === 204) return;
    if (res.status === MISDIRECTED) throw new DaemonUnavailable(errorOf(body).message, 'misdirected');
    throw new DaemonUnavailable(`ctrnetd at ${this.socketPath} answered ${res.status} to a ping`, 'absent');
  }

  async call<M extends ApiMethod>(method: M, req: ApiRequest<M>): Promise<ApiResponse<M>> {
    const res = await this.send('POST', API_PREFIX + method, JSON.stringify(req));
    const body = await readText(res);
    if (res.status === MISDIRECTED && !this.answered) throw new DaemonUnavailable(errorOf(body).message, 'misdirected');
    this.answered = true;
    if (res.status === 200) return JSON.parse(body) as ApiResponse<M>;
    const err = errorOf(body);
    throw new CtrnetError(isErrorCode(err.code) ? err.code : 'INTERNAL', err.message);
  }

  async follow(after: number, onEvent: (event: EventRecord) => void, signal: AbortSignal): Promise<void> {
    const res = await this.send('GET', `${EVENTS_PATH}?after=${after}`, undefined, signal).catch((err: unknown) => {
      if (signal.aborted) return undefined;
      throw err;
    });
    if (!res) return;
    if (res.status !== 200) throw new CtrnetError('DAEMON_UNAVAILABLE', errorOf(await readText(res)).message);
    signal.addEventListener('abort', () => res.close(), { once: true });
    let pending = '';
    try {
      for await (const chunk of res.body) {
        pending += chunk.toString('utf8');
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line) onEvent(JSON.parse(line) as EventRecord);
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async close(): Promise<void> {
    // One connection per request, closed with it: nothing to release.
  }

  private async send(method: 'GET' | 'POST', path: string, body?: string, signal?: AbortSignal): Promise<UnixResponse> {
    const headers: Record<string, string> = { [FINGERPRINT_HEADER]: this.fingerprint, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    try {
      return await unixRequest(this.socketPath, method, path, headers, body, signal);
    } catch (err) {
      // A socket that cannot be reached (missing, refused, not a directory, a path too long) means "no daemon here":
      // nothing was sent. A connection lost after the request went out is an error: the daemon may have acted.
      if (err instanceof NotConnected && !this.answered) throw new DaemonUnavailable(`no ctrnetd answers at ${this.socketPath} (${err.message})`, 'absent');
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new CtrnetError('DAEMON_UNAVAILABLE', `lost the connection to ctrnetd at ${this.socketPath} (${code}); check it with: ctrnet daemon status`);
    }
  }
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
