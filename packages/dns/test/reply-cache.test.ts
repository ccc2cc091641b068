import { expect } from 'chai';
import dnsPacket from 'dns-packet';
import type { QueryContext } from '../src/answer.js';
import { ReplyCache } from '../src/reply-cache.js';
import { makeQuery } from './helpers/dns-client.js';

describe('ReplyCache', () => {
  const ctx: QueryContext = { listen: '10.0.0.1', source: '10.0.0.2', transport: 'udp' };
  const reply = (id: number): Buffer => dnsPacket.encode({ id, type: 'response', questions: [{ type: 'A', name: 'web' }] });

  it('answers the same query again with the new query id', () => {
    const cache = new ReplyCache();
    const first = makeQuery('web');
    cache.set(dnsPacket.encode(first), ctx, reply(first.id!));
    const again = makeQuery('web');
    const hit = cache.get(dnsPacket.encode(again), ctx);
    expect(hit?.readUInt16BE(0)).to.equal(again.id);
    expect(hit?.subarray(2)).to.deep.equal(reply(0).subarray(2));
  });

  it('keeps sources, listen addresses, transports and spellings apart', () => {
    const cache = new ReplyCache();
    const query = dnsPacket.encode(makeQuery('web'));
    cache.set(query, ctx, reply(1));
    expect(cache.get(query, { ...ctx, source: '10.0.0.3' })).to.equal(undefined);
    expect(cache.get(query, { ...ctx, listen: '10.0.1.1' })).to.equal(undefined);
    expect(cache.get(query, { ...ctx, transport: 'tcp' })).to.equal(undefined);
    expect(cache.get(dnsPacket.encode(makeQuery('WEB')), ctx)).to.equal(undefined);
  });
});
