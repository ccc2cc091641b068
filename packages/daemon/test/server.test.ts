import { expect } from 'chai';
import { CtrnetError, type CtrnetApi } from '@ctrnet/core';
import { createServer } from '../src/server.js';

/** An API that answers system.info and fails container.inspect with NOT_FOUND; records calls. */
function fakeApi(calls: string[]): CtrnetApi {
  return {
    call: async (method, request) => {
      calls.push(method);
      if (method === 'container.inspect') throw new CtrnetError('NOT_FOUND', `no such container: ${JSON.stringify((request as { name: string }).name)}`);
      return { ok: true } as never;
    },
    follow: async () => undefined,
    close: async () => undefined,
  };
}

const FP = { 'x-ctrnet-config': 'fp' };

describe('ctrnetd server', () => {
  const calls: string[] = [];
  const app = createServer({ api: fakeApi(calls), fingerprint: 'fp' });
  after(() => app.close());
  beforeEach(() => (calls.length = 0));

  const post = (url: string, payload: string | object, headers: Record<string, string> = { ...FP, 'content-type': 'application/json' }) =>
    app.inject({ method: 'POST', url, headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  const errorLine = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

  it('answers 204 to a ping with the matching fingerprint, 421 otherwise', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/_ping', headers: FP })).statusCode).to.equal(204);
    const other = await app.inject({ method: 'GET', url: '/v1/_ping', headers: { 'x-ctrnet-config': 'theirs' } });
    expect(other.statusCode).to.equal(421);
    expect(errorLine(other.body).message).to.match(/another config/);
  });

  it('dispatches POST /v1/<method> to the API and keeps error codes', async () => {
    const ok = await post('/v1/system.info', {});
    expect(ok.statusCode).to.equal(200);
    expect(JSON.parse(ok.body)).to.deep.equal({ ok: true });
    const missing = await post('/v1/container.inspect', { name: 'web' });
    expect(missing.statusCode).to.equal(404);
    expect(errorLine(missing.body)).to.deep.equal({ code: 'NOT_FOUND', message: 'no such container: "web"' });
  });

  for (const [what, request, status] of [
    ['malformed JSON', () => post('/v1/system.info', '{"a":'), 400],
    ['an unknown method', () => post('/v1/container.explode', {}), 400],
    ['an unknown route', () => app.inject({ method: 'GET', url: '/etc/passwd', headers: FP }), 404],
    ['a 10 MiB body', () => post('/v1/system.info', JSON.stringify({ pad: 'x'.repeat(10 * 1024 * 1024) })), 413],
    ['a body that is not JSON', () => post('/v1/system.info', 'hello', { ...FP, 'content-type': 'text/plain' }), 415],
    ['another config', () => post('/v1/system.info', {}, { 'x-ctrnet-config': 'theirs', 'content-type': 'application/json' }), 421],
  ] as const) {
    it(`answers ${what} with ${status} and one error line, without calling the API`, async () => {
      const res = await request();
      expect(res.statusCode).to.equal(status);
      const err = errorLine(res.body);
      expect(err.message).to.be.a('string').and.not.include('\n');
      expect(calls).to.deep.equal([]);
    });
  }
});
