import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { isCtrnetError } from '@ctrnet/core';
import { EtcdClient, prefixEnd } from '../src/etcd-client.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A stand-in for etcd's JSON gateway on loopback: records requests, answers with `reply`. */
function fakeGateway(reply: (path: string, body: Record<string, unknown>) => unknown): Promise<{ url: string; server: Server; seen: { path: string; body: Record<string, unknown> }[] }> {
  const seen: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(data) as Record<string, unknown>;
      seen.push({ path: req.url!, body });
      res.end(JSON.stringify(reply(req.url!, body)));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, seen })));
}

describe('etcd client (JSON gateway)', () => {
  it('ends a prefix range at the next key', () => {
    expect(prefixEnd('/ctrnet/v1/')).to.equal('/ctrnet/v10');
  });

  it('sends keys and values base64-encoded and decodes ranges, revisions and leases', async () => {
    const gw = await fakeGateway(() => ({ header: { revision: '9' }, kvs: [{ key: b64('/a/b'), value: b64('{"x":1}'), create_revision: '3', mod_revision: '8', lease: '77' }] }));
    const client = new EtcdClient([gw.url]);
    try {
      const { kvs, revision } = await client.prefix('/a/');
      expect(gw.seen[0]).to.deep.equal({ path: '/v3/kv/range', body: { key: b64('/a/'), range_end: b64('/a0') } });
      expect(revision).to.equal(9);
      expect(kvs).to.deep.equal([{ key: '/a/b', value: '{"x":1}', createRevision: 3, modRevision: 8, lease: '77' }]);
    } finally {
      client.close();
      gw.server.close();
    }
  });

  it('builds transactions with create-revision and range compares', async () => {
    const gw = await fakeGateway(() => ({ header: { revision: '5' }, succeeded: true, responses: [{ response_put: {} }] }));
    const client = new EtcdClient([gw.url]);
    try {
      const result = await client.txn(
        [{ key: '/k', target: 'CREATE', result: 'EQUAL', operand: 0 }, { key: '/p/', rangeEnd: '/p0', target: 'MOD', result: 'LESS', operand: 6 }],
        [{ put: { key: '/k', value: 'v', lease: '12' } }],
      );
      expect(result).to.deep.equal({ succeeded: true, revision: 5, ranges: [] });
      expect(gw.seen[0]!.body).to.deep.equal({
        compare: [
          { key: b64('/k'), target: 'CREATE', result: 'EQUAL', create_revision: '0' },
          { key: b64('/p/'), range_end: b64('/p0'), target: 'MOD', result: 'LESS', mod_revision: '6' },
        ],
        success: [{ request_put: { key: b64('/k'), value: b64('v'), lease: '12' } }],
        failure: [],
      });
    } finally {
      client.close();
      gw.server.close();
    }
  });

  it('fails over to the next URL, and reports UNAVAILABLE naming every URL when none answers', async () => {
    const gw = await fakeGateway(() => ({ header: { revision: '1' } }));
    const closed = await fakeGateway(() => ({}));
    closed.server.close();
    const client = new EtcdClient([closed.url, gw.url]);
    try {
      await client.put('/k', 'v');
      expect(gw.seen).to.have.length(1);
      const dead = new EtcdClient([closed.url]);
      try {
        await dead.range('/k');
        expect.fail('answered');
      } catch (err) {
        expect(isCtrnetError(err, 'UNAVAILABLE')).to.equal(true);
        expect((err as Error).message).to.include(closed.url).and.include('cluster.etcd');
      }
    } finally {
      client.close();
      gw.server.close();
    }
  });
});
