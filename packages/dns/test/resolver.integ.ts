import dgram from 'node:dgram';
import { expect } from 'chai';
import dnsPacket, { type Packet } from 'dns-packet';
import { isCtrnetError } from '@ctrnet/core';
import { DnsResolver, type DnsView } from '../src/index.js';
import { answerData, makeQuery, query, udpRaw, type Target } from './helpers/dns-client.js';
import { answerWith, rcodeReply, startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { sampleView } from './fixtures.js';

// Everything here runs on 127.0.53.0/24 in the current namespace: sources
// are loopback addresses the client binds, so no root and no namespace needed.
const FRONT = '127.0.53.1';
const BACK = '127.0.53.2';
const VAULT = '127.0.53.3';
const WEB = '127.0.53.10';
const DB = '127.0.53.20';
const SECRET = '127.0.53.30';

describe('DnsResolver on loopback', function () {
  this.timeout(20_000);
  let upstream: FakeUpstream;
  let resolver: DnsResolver;
  let view: DnsView;
  const at = (address: string): Target => ({ address, port: resolver.port! });

  beforeEach(async () => {
    upstream = await startFakeUpstream('127.0.53.100', answerWith('192.0.2.1'));
    view = sampleView([upstream.spec]);
    resolver = new DnsResolver(view, { port: 0, forwarder: { timeoutMs: 600 } });
    await resolver.listen([FRONT, BACK, VAULT]);
  });

  afterEach(async () => {
    await resolver.close();
    await upstream.close();
  });

  describe('local names', () => {
    it('answers container names over UDP and TCP, on one port for every address', async () => {
      expect(resolver.port).to.be.a('number').above(0);
      for (const tcp of [false, true]) {
        expect(answerData(await query(at(FRONT), makeQuery('api'), { source: WEB, tcp }))).to.deep.equal(['127.0.53.11']);
        expect(answerData(await query(at(BACK), makeQuery('db', 'AAAA'), { source: DB, tcp }))).to.deep.equal(['fd54::20']);
      }
    });

    it('round-robins an alias over its two containers', async () => {
      const firsts = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const data = answerData(await query(at(FRONT), makeQuery('backend'), { source: WEB }));
        expect(data).to.have.members(['127.0.53.11', '127.0.53.12']);
        firsts.add(data[0]!);
      }
      expect([...firsts]).to.have.members(['127.0.53.11', '127.0.53.12']);
    });

    it('answers NAME.NETWORK and link aliases for a container on two networks', async () => {
      expect(answerData(await query(at(FRONT), makeQuery('DB.back'), { source: '127.0.53.13' }))).to.deep.equal([DB]);
      expect(answerData(await query(at(BACK), makeQuery('dbalias'), { source: '127.0.53.21' }))).to.deep.equal([DB]);
    });

    it('answers PTR for container addresses', async () => {
      const reply = await query(at(FRONT), makeQuery('11.53.0.127.in-addr.arpa', 'PTR'), { source: WEB });
      expect(answerData(reply)).to.deep.equal(['api.front']);
    });

    it('answers NODATA for the missing family without asking upstream', async () => {
      const reply = await query(at(FRONT), makeQuery('cache', 'AAAA'), { source: WEB });
      expect(reply?.rcode).to.equal('NOERROR');
      expect(reply?.answers).to.deep.equal([]);
      expect(upstream.seen).to.deep.equal([]);
    });

    it('sends a crowd alias truncated over UDP and whole over TCP', async () => {
      view.networks[0]!.containers.push(
        ...Array.from({ length: 60 }, (_, i) => ({ id: `m${i}`, name: `m${i}`, aliases: ['crowd'], ipv4: `127.0.55.${i + 1}` })),
      );
      resolver.update(view);
      const udp = await query(at(FRONT), makeQuery('crowd'), { source: WEB });
      expect(udp?.flag_tc).to.equal(true);
      const tcp = await query(at(FRONT), makeQuery('crowd'), { source: WEB, tcp: true });
      expect(tcp?.flag_tc).to.equal(false);
      expect(tcp?.answers).to.have.length(60);
    });
  });

  describe('isolation and forwarding', () => {
    it('forwards a name of another network upstream: a container sees only its networks', async () => {
      const reply = await query(at(FRONT), makeQuery('db'), { source: WEB });
      expect(answerData(reply)).to.deep.equal(['192.0.2.1']);
      expect(upstream.seen.map((s) => s.name)).to.deep.equal(['db']);
    });

    it('keeps the client query id and passes upstream bytes on unchanged', async () => {
      let sent: Buffer | undefined;
      upstream.behaviour = (q, transport) => {
        // AA and a TXT record: things the resolver would never produce itself.
        const reply = answerWith('192.0.2.7')(q, transport) as Packet;
        sent = dnsPacket.encode({ ...reply, flags: reply.flags! | dnsPacket.AUTHORITATIVE_ANSWER, authorities: [{ type: 'TXT', name: 'x.example', data: 'from upstream' }] });
        return sent;
      };
      const packet = makeQuery('x.example');
      const reply = await udpRaw(at(FRONT), dnsPacket.encode(packet), { source: WEB });
      expect(upstream.seen[0]!.id).to.equal(packet.id);
      expect(reply!.readUInt16BE(0)).to.equal(packet.id);
      expect(reply).to.deep.equal(sent);
    });

    it('passes a truncated upstream reply on, and forwards the TCP retry over TCP', async () => {
      upstream.behaviour = (q, transport) =>
        transport === 'udp'
          ? { id: q.id, type: 'response', flags: dnsPacket.TRUNCATED_RESPONSE | dnsPacket.RECURSION_AVAILABLE, questions: q.questions }
          : answerWith('192.0.2.9')(q, transport);
      const udp = await query(at(FRONT), makeQuery('big.example'), { source: WEB });
      expect(udp?.flag_tc).to.equal(true);
      const tcp = await query(at(FRONT), makeQuery('big.example'), { source: WEB, tcp: true });
      expect(answerData(tcp)).to.deep.equal(['192.0.2.9']);
      expect(upstream.seen.map((s) => s.transport)).to.deep.equal(['udp', 'tcp']);
    });

    it('moves on from a SERVFAIL server to the next one', async () => {
      const failing = await startFakeUpstream('127.0.53.101', rcodeReply(2));
      try {
        resolver.update(sampleView([failing.spec, upstream.spec]));
        expect(answerData(await query(at(FRONT), makeQuery('y.example'), { source: WEB }))).to.deep.equal(['192.0.2.1']);
        expect(failing.seen).to.have.length(1);
      } finally {
        await failing.close();
      }
    });

    it('answers SERVFAIL when upstream stays silent, within the time budget', async () => {
      upstream.behaviour = () => 'silent';
      const started = Date.now();
      const reply = await query(at(FRONT), makeQuery('slow.example'), { source: WEB });
      expect(reply?.rcode).to.equal('SERVFAIL');
      expect(Date.now() - started).to.be.within(500, 2500);
    });

    it('answers SERVFAIL at once beyond the in-flight limit', async () => {
      await resolver.close();
      resolver = new DnsResolver(view, { port: 0, forwarder: { timeoutMs: 1500, maxInFlight: 4 } });
      await resolver.listen([FRONT]);
      upstream.behaviour = () => 'silent';
      const stuck = Array.from({ length: 4 }, (_, i) => query(at(FRONT), makeQuery(`stuck${i}.example`), { source: WEB }));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const over = await query(at(FRONT), makeQuery('one-more.example'), { source: WEB });
      expect(over?.rcode).to.equal('SERVFAIL');
      expect(Date.now() - started).to.be.below(1000); // the stuck ones wait out 1.5 s

      expect(upstream.seen).to.have.length(4);
      await Promise.all(stuck);
    });

    it('forwards nothing for a container on an internal network only (SERVFAIL, as Docker)', async () => {
      const reply = await query(at(VAULT), makeQuery('out.example'), { source: SECRET });
      expect(reply?.rcode).to.equal('SERVFAIL');
      expect(answerData(await query(at(VAULT), makeQuery('secret'), { source: SECRET }))).to.deep.equal([SECRET]);
      expect(upstream.seen).to.deep.equal([]);
    });

    it('never forwards to one of its own listen addresses', async () => {
      resolver.update(sampleView([`${FRONT}:${resolver.port}`]));
      const reply = await query(at(FRONT), makeQuery('loop.example'), { source: WEB });
      expect(reply?.rcode).to.equal('SERVFAIL');
    });
  });

  describe('changes at run time', () => {
    it('sees a view update on the next query', async () => {
      expect(answerData(await query(at(FRONT), makeQuery('newbie'), { source: WEB }))).to.deep.equal(['192.0.2.1']);
      view.networks[0]!.containers.push({ id: 'c-new', name: 'newbie', aliases: [], ipv4: '127.0.53.14' });
      resolver.update(view);
      expect(answerData(await query(at(FRONT), makeQuery('newbie'), { source: WEB }))).to.deep.equal(['127.0.53.14']);
      view.networks[0]!.containers.pop();
      resolver.update(view);
      expect(answerData(await query(at(FRONT), makeQuery('newbie'), { source: WEB }))).to.deep.equal(['192.0.2.1']);
    });

    it('keeps the old view when an update is bad', async () => {
      const bad = sampleView();
      bad.networks[0]!.containers[0]!.ipv4 = 'nonsense';
      expect(() => resolver.update(bad)).to.throw(/container web on network front/);
      expect(answerData(await query(at(FRONT), makeQuery('web'), { source: WEB }))).to.deep.equal([WEB]);
    });

    it('adds and removes listen addresses while running', async () => {
      view.networks.push({ id: 'n-late', name: 'late', internal: false, listen: ['127.0.53.4'], containers: [{ id: 'c-l', name: 'lately', aliases: [], ipv4: '127.0.53.40' }] });
      resolver.update(view);
      await resolver.listen(['127.0.53.4', FRONT]);
      expect(resolver.addresses).to.have.members([FRONT, BACK, VAULT, '127.0.53.4']);
      expect(answerData(await query(at('127.0.53.4'), makeQuery('lately'), { source: '127.0.53.40' }))).to.deep.equal(['127.0.53.40']);
      await resolver.unlisten(['127.0.53.4']);
      expect(await query(at('127.0.53.4'), makeQuery('lately'), { source: '127.0.53.40', timeoutMs: 300 })).to.equal(undefined);
      expect(answerData(await query(at(FRONT), makeQuery('web'), { source: WEB }))).to.deep.equal([WEB]);
    });

    it('reports a taken port as a conflict naming the address', async () => {
      const squatter = dgram.createSocket('udp4');
      await new Promise<void>((r) => squatter.bind({ address: '127.0.53.5', port: resolver.port! }, r));
      try {
        const err = await resolver.listen(['127.0.53.5']).catch((e: unknown) => e);
        expect(isCtrnetError(err, 'CONFLICT'), String(err)).to.equal(true);
        expect((err as Error).message).to.match(/127\.0\.53\.5:\d+.*another port/);
        expect(resolver.addresses).to.not.include('127.0.53.5');
      } finally {
        squatter.close();
      }
    });

    it('refuses wildcard listen addresses', async () => {
      const err = await resolver.listen(['0.0.0.0']).catch((e: unknown) => e);
      expect(isCtrnetError(err, 'INVALID_ARGUMENT')).to.equal(true);
    });
  });
});
