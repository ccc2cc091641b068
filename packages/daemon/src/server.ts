/**
 * ctrnetd's HTTP server: the runtime API as `POST /v1/<method>` (JSON in,
 * JSON out), an NDJSON event stream, and a ping. It is a thin adapter: the
 * request is checked against the method's schema by the API itself, and
 * errors keep their code, so a client rebuilds exactly the error the
 * in-process path would have thrown.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createServer as createHttpServer } from 'node:http';
import createDebug from 'debug';
import { CtrnetError, checkMethod, isCtrnetError, type CtrnetApi, type ErrorCode } from '@ctrnet/core';
import { API_PREFIX, EVENTS_PATH, FINGERPRINT_HEADER, MISDIRECTED, PING_PATH, type WireError } from '@ctrnet/client';

const debug = createDebug('ctrnet:daemon:server');

/** Requests are small (a run spec with many ports is a few hundred KiB at most). */
const BODY_LIMIT = 4 * 1024 * 1024;

/** A client that has not sent its whole request by then is cut off (a stalled or malicious client must not hold a socket). */
const REQUEST_TIMEOUT_MS = 5_000;

/** How often Node looks for such clients (its default, 30 s, would let one hold a socket that long). */
const TIMEOUT_CHECK_MS = 500;

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  PLUGIN_INVALID: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  PERMISSION_DENIED: 403,
  DAEMON_UNAVAILABLE: 503,
};

export interface ServerOptions {
  api: CtrnetApi;
  /** The daemon's config fingerprint; requests with another are answered 421. */
  fingerprint: string;
  /** How many API calls are in flight (for a graceful stop). */
  onCall?: (delta: 1 | -1) => void;
}

function wireError(code: string, message: string): WireError {
  return { error: { code, message } };
}

/** Build the server (not listening yet). */
export function createServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    serverFactory: (handler) => createHttpServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_MS }, handler),
  });
  // JSON only: a text body would reach the API as a string.
  app.removeContentTypeParser('text/plain');

  const misdirected = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const theirs = req.headers[FINGERPRINT_HEADER];
    if (theirs === options.fingerprint) return false;
    void reply
      .code(MISDIRECTED)
      .send(wireError('DAEMON_UNAVAILABLE', `ctrnetd runs with another config or environment (${options.fingerprint}) than this command (${String(theirs ?? 'none')}); use the same --config and $CTRNET_PORT_BACKEND, or restart ctrnetd with yours`));
    return true;
  };

  app.get(PING_PATH, async (req, reply) => {
    if (!misdirected(req, reply)) await reply.code(204).send();
  });

  app.post<{ Params: { method: string } }>(`${API_PREFIX}:method`, async (req, reply) => {
    const method = checkMethod(req.params.method);
    if (misdirected(req, reply)) return;
    options.onCall?.(1);
    try {
      const response = await options.api.call(method, req.body as never);
      await reply.code(200).send(response);
    } finally {
      options.onCall?.(-1);
    }
  });

  // Event streams never end by themselves: a stopping daemon ends them, so close() need not wait for them.
  const followers = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const f of followers) f.abort();
  });

  app.get<{ Querystring: { after?: string } }>(EVENTS_PATH, async (req, reply) => {
    if (misdirected(req, reply)) return;
    const after = Number(req.query.after ?? 0);
    if (!Number.isInteger(after) || after < 0) throw new CtrnetError('INVALID_ARGUMENT', `invalid after=${JSON.stringify(req.query.after)}: expected an event sequence number >= 0`);
    const stop = new AbortController();
    followers.add(stop);
    reply.raw.on('close', () => {
      stop.abort();
      followers.delete(stop);
    });
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
    await options.api.follow(after, (e) => reply.raw.write(`${JSON.stringify(e)}\n`), stop.signal);
    reply.raw.end();
  });

  app.setNotFoundHandler(async (req, reply) => {
    await reply.code(404).send(wireError('NOT_FOUND', `no such route ${req.method} ${req.url.slice(0, 80)}; the API is POST ${API_PREFIX}<method>`));
  });

  app.setErrorHandler(async (err: FastifyError | CtrnetError, _req, reply) => {
    if (isCtrnetError(err)) {
      await reply.code(STATUS_OF[err.code] ?? 500).send(wireError(err.code, err.message));
      return;
    }
    // Fastify's own errors: a body that is not JSON, too large, a wrong content type.
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) debug('internal error: %O', err);
    const message = status >= 500 ? `${err.message}; this is a bug, please report it with the daemon's log` : `bad request: ${err.message.split('\n')[0]}`;
    await reply.code(status).send(wireError(status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT', message));
  });

  return app;
}
