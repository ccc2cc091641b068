/**
 * The plugin's HTTP server on a unix socket: `POST /<Interface>.<Method>`
 * with JSON (libnetwork's plugin transport). Undecodable bodies answer 400,
 * methods ctrnet does not implement 404 (libnetwork then treats the
 * optional ones as no-ops), and an operation that fails answers 200 with
 * `{"Err": message}`, which Docker shows the user.
 */
import { rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import createDebug from 'debug';
import { listenPrivately, listening, type CtrnetApi } from '@ctrnet/core/api';
import { ipamDriverHandlers } from './ipam-driver.js';
import { networkDriverHandlers } from './network-driver.js';
import { PLUGIN_CONTENT_TYPE } from './protocol.js';

const debug = createDebug('ctrnet:docker-plugin:server');

/** Bodies are a few KiB (a port map of thousands of ports at most). */
const BODY_LIMIT = 1024 * 1024;

export interface DockerPluginOptions {
  api: CtrnetApi;
  /** Where Docker finds it: `/run/docker/plugins/ctrnet.sock` makes `-d ctrnet` and `--ipam-driver ctrnet` work. */
  socketPath: string;
  /** One line per call that failed, for the daemon's log. */
  log?: (line: string) => void;
}

export interface DockerPlugin {
  stop(): Promise<void>;
}

type Handler = (body: Record<string, unknown>) => Promise<object>;

function pluginHandlers(api: CtrnetApi): Record<string, Handler> {
  return {
    'Plugin.Activate': async () => ({ Implements: ['NetworkDriver', 'IpamDriver'] }),
    ...networkDriverHandlers(api),
    ...ipamDriverHandlers(api),
  };
}

export async function startDockerPlugin(options: DockerPluginOptions): Promise<DockerPlugin> {
  const handlers = pluginHandlers(options.api);
  const log = options.log ?? ((line: string) => debug(line));
  const server = createHttpServer((req, res) => void serve(handlers, req, res, log));
  await listenPrivately(options.socketPath, () => listening(server, options.socketPath), {
    conflict: `something already answers at ${options.socketPath}; stop that Docker plugin first`,
  });
  log(`serving Docker's network and IPAM driver protocol on ${options.socketPath}`);
  return {
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      rmSync(options.socketPath, { force: true });
    },
  };
}

async function serve(handlers: Record<string, Handler>, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const method = (req.url ?? '').replace(/^\//, '').split('?')[0]!;
  const send = (status: number, body: object) => {
    res.writeHead(status, { 'Content-Type': PLUGIN_CONTENT_TYPE });
    res.end(JSON.stringify(body));
  };
  let text: string;
  try {
    text = await readBody(req);
  } catch (err) {
    send(413, { Err: (err as Error).message });
    return;
  }
  const handler = req.method === 'POST' ? handlers[method] : undefined;
  if (!handler) {
    send(404, { Err: `${method || '(none)'} is not implemented by the ctrnet plugin` });
    return;
  }
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch (err) {
      send(400, { Err: `${method}: the request is not JSON (${(err as Error).message})` });
      return;
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    send(400, { Err: `${method}: the request must be a JSON object` });
    return;
  }
  try {
    debug('%s', method);
    send(200, await handler(body as Record<string, unknown>));
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    log(`${method} failed: ${message}`);
    send(200, { Err: message });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new Error(`request body over ${BODY_LIMIT} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

