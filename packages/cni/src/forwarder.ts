/**
 * The daemon side of ctrnet-cni's native front (native/ctrnet-cni.c): a
 * socket where ctrnetd runs the plugin's commands for calls the front
 * forwards, against the daemon's own runtime API, so a CNI call costs a
 * small process and one request instead of a Node start-up. A call meant
 * for another installation (another state dir, config, or
 * `CTRNET_DAEMON=never`) is answered "fallback": the front then runs the
 * Node plugin itself, which finds its own way.
 */
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import createDebug from 'debug';
import { DEFAULT_STATE_DIR, listenPrivately, listening, type ConfigInputs, type CtrnetApi } from '@ctrnet/core/api';
import { locateDaemon } from '@ctrnet/client';
import { main } from './main.js';

const debug = createDebug('ctrnet:cni:forwarder');

/** Where ctrnetd of `stateDir` serves forwarded CNI calls; the native front computes the same path. */
export function cniSocketPath(stateDir: string): string {
  return stateDir === DEFAULT_STATE_DIR ? '/run/ctrnet/cni.sock' : join(stateDir, 'cni.sock');
}

export interface CniForwarderOptions {
  api: CtrnetApi;
  socketPath: string;
  /** The daemon's own socket and config fingerprint: a call is served only when its inputs lead to them. */
  daemonSocket: string;
  fingerprint: string;
}

interface Forwarded {
  env: Record<string, string>;
  stdin: string;
}

export async function startCniForwarder(options: CniForwarderOptions): Promise<{ stop(): Promise<void> }> {
  // The daemon's API stays open across calls: main() closes what it opened, so it gets a handle whose close does nothing.
  const api: CtrnetApi = { call: (m, r) => options.api.call(m, r), follow: (a, e, s) => options.api.follow(a, e, s), close: async () => undefined };
  // allowHalfOpen: the front half-closes its end to mark the request complete, and still reads the answer.
  const server = createServer({ allowHalfOpen: true }, (conn) => void serve(conn, api, options));
  await listenPrivately(options.socketPath, () => listening(server, options.socketPath));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(options.socketPath, { force: true });
          resolve();
        });
      }),
  };
}

async function serve(conn: Socket, api: CtrnetApi, options: CniForwarderOptions): Promise<void> {
  const chunks: Buffer[] = [];
  conn.on('data', (c: Buffer) => chunks.push(c));
  conn.on('error', (err) => debug('connection: %s', err.message));
  await new Promise((resolve) => conn.once('end', resolve));
  let request: Forwarded;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Forwarded;
  } catch {
    conn.end('fallback\n');
    return;
  }
  if (!mine(request, options)) {
    conn.end('fallback\n');
    return;
  }
  let stdout = '';
  const status = await main([], { env: request.env, readStdin: async () => request.stdin, write: (text) => (stdout += text), openApi: async () => api });
  debug('%s: exit %d', request.env.CNI_COMMAND, status);
  conn.end(`${status}\n${stdout}`);
}

/** Whether the installation the call names is this daemon's, as the Node plugin would find it. */
function mine(request: Forwarded, options: CniForwarderOptions): boolean {
  let conf: { stateDir?: unknown; configPath?: unknown } = {};
  try {
    conf = JSON.parse(request.stdin) as typeof conf;
  } catch {
    // An undecodable config is refused by main() before any API is needed.
  }
  const inputs: ConfigInputs = {
    stateDir: typeof conf?.stateDir === 'string' ? conf.stateDir : undefined,
    configPath: typeof conf?.configPath === 'string' ? conf.configPath : undefined,
    env: request.env,
  };
  const where = locateDaemon(inputs);
  return where.mode !== 'never' && where.socketPath === options.daemonSocket && where.fingerprint === options.fingerprint;
}
