import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtrnetError } from '@ctrnet/core/api';
import { DaemonUnavailable, HttpApi } from '../src/http-api.js';

/** A fake daemon: answers each request with `answer(method, url, body)`. */
function fakeDaemon(socket: string, answer: (url: string, headers: Record<string, unknown>, body: string) => [number, string]): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const [status, text] = answer(req.url ?? '', req.headers, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

describe('HttpApi', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ctrnet-client-'))));
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a missing daemon as DaemonUnavailable, so auto mode runs in-process', async () => {
    const api = new HttpApi(join(dir, 'none.sock'), 'fp');
    const err = await api.ping().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DaemonUnavailable);
    expect((err as DaemonUnavailable).reason).to.equal('absent');
    await api.close();
  });

  it('sends the fingerprint and treats 421 as a daemon configured otherwise', async () => {
    const socket = join(dir, 'd.sock');
    let seen: unknown;
    server = await fakeDaemon(socket, (_url, headers) => {
      seen = headers['x-ctrnet-config'];
      return [421, JSON.stringify({ error: { code: 'DAEMON_UNAVAILABLE', message: 'other config' } })];
    });
    const api = new HttpApi(socket, 'mine');
    const err = await api.ping().catch((e: unknown) => e);
    expect(seen).to.equal('mine');
    expect((err as DaemonUnavailable).reason).to.equal('misdirected');
    await api.close();
  });

  it('posts the request to /v1/<method> and returns the JSON answer', async () => {
    const socket = join(dir, 'd.sock');
    server = await fakeDaemon(socket, (url, _h, body) => [200, JSON.stringify({ url, body: JSON.parse(body) as unknown })]);
    const api = new HttpApi(socket, 'fp');
    const answer = (await api.call('container.inspect', { name: 'web' })) as unknown;
    expect(answer).to.deep.equal({ url: '/v1/container.inspect', body: { name: 'web' } });
    await api.close();
  });

  it('rebuilds the CtrnetError the daemon reported, code and message', async () => {
    const socket = join(dir, 'd.sock');
    server = await fakeDaemon(socket, () => [404, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such container: "web"' } })]);
    const api = new HttpApi(socket, 'fp');
    const err = (await api.call('container.inspect', { name: 'web' }).catch((e: unknown) => e)) as CtrnetError;
    expect(err).to.be.instanceOf(CtrnetError);
    expect(err.code).to.equal('NOT_FOUND');
    expect(err.message).to.equal('no such container: "web"');
    expect(err.exitStatus).to.equal(2);
    await api.close();
  });

  it('reports an answer it cannot read as INTERNAL, quoting it', async () => {
    const socket = join(dir, 'd.sock');
    server = await fakeDaemon(socket, () => [500, 'oops']);
    const api = new HttpApi(socket, 'fp');
    const err = (await api.call('system.info', {}).catch((e: unknown) => e)) as CtrnetError;
    expect(err.code).to.equal('INTERNAL');
    expect(err.message).to.include('oops');
    await api.close();
  });
});
