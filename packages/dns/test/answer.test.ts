import { expect } from 'chai';
import dnsPacket, { type Packet } from 'dns-packet';
import { answerQuery, RECORD_TTL, type Outcome, type QueryContext } from '../src/answer.js';
import { RecordIndex } from '../src/records.js';
import type { DnsView } from '../src/index.js';
import { answerData, decodeReply, makeQuery, type DecodedReply } from './helpers/dns-client.js';
import { sampleView } from './fixtures.js';

const FROM_WEB: QueryContext = { listen: '127.0.53.1', source: '127.0.53.10', transport: 'udp' };

function run(message: Buffer | Packet, ctx: QueryContext = FROM_WEB, view: DnsView = sampleView(['192.0.2.53'])): Outcome {
  const bytes = Buffer.isBuffer(message) ? message : dnsPacket.encode(message);
  return answerQuery(bytes, ctx, RecordIndex.build(view));
}

function replyOf(outcome: Outcome): DecodedReply {
  expect(outcome.kind, JSON.stringify(outcome)).to.equal('reply');
  return decodeReply((outcome as { reply: Buffer }).reply);
}

/** A header: id 0x1234, the given flags and section counts, then `rest`. */
function rawMessage(flags: number, counts: [number, number, number, number], rest: number[] = []): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x1234, 0);
  header.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => header.writeUInt16BE(c, 4 + 2 * i));
  return Buffer.concat([header, Buffer.from(rest)]);
}

describe('answerQuery', () => {
  describe('local names', () => {
    it('answers A with TTL 600, the query id, RD echoed, RA set, the question as asked', () => {
      const query = makeQuery('Web', 'A');
      const reply = replyOf(run(query));
      expect(reply.id).to.equal(query.id);
      expect(reply.rcode).to.equal('NOERROR');
      expect(reply.flag_rd).to.equal(true);
      expect(reply.flag_ra).to.equal(true);
      expect(reply.questions).to.deep.equal([{ name: 'Web', type: 'A', class: 'IN' }]);
      expect(reply.answers).to.have.length(1);
      expect(reply.answers![0]).to.include({ name: 'Web', type: 'A', ttl: RECORD_TTL, data: '127.0.53.10' });
    });

    it('answers AAAA', () => {
      expect(answerData(replyOf(run(makeQuery('api', 'AAAA'))))).to.deep.equal(['fd53::11']);
    });

    it('answers NODATA (NOERROR, no answers) for the missing family, without forwarding', () => {
      const reply = replyOf(run(makeQuery('cache', 'AAAA')));
      expect(reply.rcode).to.equal('NOERROR');
      expect(reply.answers).to.deep.equal([]);
    });

    it('answers NODATA for other types of a known name, so container names never go upstream', () => {
      for (const type of ['MX', 'TXT', 'SRV'] as const) {
        const reply = replyOf(run(makeQuery('web', type)));
        expect(reply.rcode, type).to.equal('NOERROR');
        expect(reply.answers, type).to.deep.equal([]);
      }
    });

    it('answers ANY with both families', () => {
      expect(answerData(replyOf(run(makeQuery('web', 'ANY'))))).to.have.members(['127.0.53.10', 'fd53::10']);
    });

    it('shuffles the addresses behind an alias per reply', () => {
      const orders = new Set<string>();
      for (let i = 0; i < 50; i++) orders.add(answerData(replyOf(run(makeQuery('backend', 'A')))).join(','));
      expect([...orders]).to.have.members(['127.0.53.11,127.0.53.12', '127.0.53.12,127.0.53.11']);
    });

    it('answers PTR for a container address with CONTAINER.NETWORK', () => {
      const reply = replyOf(run(makeQuery('12.53.0.127.in-addr.arpa', 'PTR')));
      expect(reply.answers![0]).to.include({ type: 'PTR', ttl: RECORD_TTL, data: 'cache.front' });
    });

    it('echoes EDNS with our payload size when the query had it', () => {
      const reply = replyOf(run(makeQuery('web', 'A', 4096)));
      expect(reply.additionals).to.have.length(1);
      expect(reply.additionals![0]).to.include({ type: 'OPT', udpPayloadSize: 1232 });
      expect(replyOf(run(makeQuery('web', 'A'))).additionals).to.deep.equal([]);
    });
  });

  describe('truncation', () => {
    const crowd = (): DnsView => {
      const view = sampleView();
      view.networks[0]!.containers = Array.from({ length: 100 }, (_, i) => ({
        id: `c${i}`,
        name: `member${i}`,
        aliases: ['crowd'],
        ipv4: `127.0.54.${i + 1}`,
      }));
      return view;
    };

    it('sets TC and keeps what fits in 512 bytes over UDP without EDNS', () => {
      const outcome = run(makeQuery('crowd', 'A'), { ...FROM_WEB, source: '127.0.54.1' }, crowd());
      const bytes = (outcome as { reply: Buffer }).reply;
      expect(bytes.length).to.be.at.most(512);
      const reply = replyOf(outcome);
      expect(reply.flag_tc).to.equal(true);
      expect(reply.answers!.length).to.be.within(20, 99);
    });

    it('uses the EDNS size up to 1232 bytes', () => {
      const outcome = run(makeQuery('crowd', 'A', 4096), { ...FROM_WEB, source: '127.0.54.1' }, crowd());
      expect((outcome as { reply: Buffer }).reply.length).to.be.within(1100, 1232);
      expect(replyOf(outcome).flag_tc).to.equal(true);
    });

    it('sends every address over TCP', () => {
      const reply = replyOf(run(makeQuery('crowd', 'A'), { ...FROM_WEB, source: '127.0.54.1', transport: 'tcp' }, crowd()));
      expect(reply.flag_tc).to.equal(false);
      expect(reply.answers).to.have.length(100);
    });
  });

  describe('names the resolver does not own', () => {
    it('forwards them to the upstream servers, with SERVFAIL ready for when none answers', () => {
      const query = makeQuery('example.org', 'A');
      const outcome = run(query);
      expect(outcome.kind).to.equal('forward');
      const forward = outcome as Extract<Outcome, { kind: 'forward' }>;
      expect(forward.servers.map((s) => s.address)).to.deep.equal(['192.0.2.53']);
      const failure = decodeReply(forward.failure());
      expect(failure).to.include({ id: query.id, rcode: 'SERVFAIL' });
      expect(failure.questions).to.deep.equal(query.questions);
    });

    it('forwards names of networks the source is not on (isolation)', () => {
      expect(run(makeQuery('db', 'A')).kind).to.equal('forward');
      expect(run(makeQuery('12.53.0.127.in-addr.arpa', 'PTR'), { ...FROM_WEB, listen: '127.0.53.2', source: '127.0.53.20' }).kind).to.equal('forward');
    });

    it('forwards other classes than IN', () => {
      const query = makeQuery('web', 'TXT');
      query.questions![0]!.class = 'CH';
      expect(run(query).kind).to.equal('forward');
    });

    it('answers SERVFAIL without forwarding for a container on internal networks only (Docker)', () => {
      const reply = replyOf(run(makeQuery('example.org', 'A'), { ...FROM_WEB, listen: '127.0.53.3', source: '127.0.53.30' }));
      expect(reply.rcode).to.equal('SERVFAIL');
    });

    it('answers SERVFAIL when there is no upstream server', () => {
      expect(replyOf(run(makeQuery('example.org', 'A'), FROM_WEB, sampleView([]))).rcode).to.equal('SERVFAIL');
    });

    it('answers REFUSED on an address no network claims, to a source that is no container', () => {
      expect(replyOf(run(makeQuery('web', 'A'), { ...FROM_WEB, listen: '127.0.99.1', source: '127.0.0.1' })).rcode).to.equal('REFUSED');
    });
  });

  describe('malformed messages', () => {
    const RD = 0x0100;

    it('drops what is shorter than a header', () => {
      expect(run(Buffer.alloc(0)).kind).to.equal('drop');
      expect(run(Buffer.from([1, 2, 3, 4, 5])).kind).to.equal('drop');
    });

    it('drops responses', () => {
      const response = dnsPacket.encode({ ...makeQuery('web'), type: 'response' });
      expect(run(response).kind).to.equal('drop');
    });

    it('answers NOTIMP to other opcodes than QUERY', () => {
      const update = rawMessage((5 << 11) | RD, [1, 0, 0, 0]);
      const reply = replyOf(run(update));
      expect(reply).to.include({ id: 0x1234, rcode: 'NOTIMP', opcode: 'UPDATE' });
    });

    it('answers FORMERR to wrong section counts without decoding them', () => {
      for (const counts of [
        [0, 0, 0, 0],
        [2, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 0, 2, 0],
        [1, 0, 0, 3],
        [65535, 65535, 65535, 65535],
      ] as Array<[number, number, number, number]>) {
        const reply = replyOf(run(rawMessage(RD, counts)));
        expect(reply.rcode, counts.join(',')).to.equal('FORMERR');
        expect(reply.id).to.equal(0x1234);
        expect(reply.questions).to.deep.equal([]);
      }
    });

    it('answers FORMERR to a truncated question', () => {
      const full = dnsPacket.encode(makeQuery('web.front'));
      for (const cut of [13, 16, full.length - 3, full.length - 1]) {
        expect(replyOf(run(full.subarray(0, cut))).rcode, `cut at ${cut}`).to.equal('FORMERR');
      }
    });

    it('answers FORMERR to compression loops and forward pointers', () => {
      // A name that is a pointer to itself (offset 12), then one pointing forward.
      expect(replyOf(run(rawMessage(RD, [1, 0, 0, 0], [0xc0, 12, 0, 1, 0, 1]))).rcode).to.equal('FORMERR');
      expect(replyOf(run(rawMessage(RD, [1, 0, 0, 0], [0xc0, 20, 0, 1, 0, 1]))).rcode).to.equal('FORMERR');
    });

    it('never matches nor echoes a question that does not survive decoding (a dot inside a label)', () => {
      // One label "web.front" (not two): dns-packet would read it as web on network front.
      const dotted = rawMessage(RD, [1, 0, 0, 0], [9, ...Buffer.from('web.front'), 0, 0, 1, 0, 1]);
      const outcome = run(dotted);
      expect(outcome.kind).to.equal('forward');
      const failure = decodeReply((outcome as Extract<Outcome, { kind: 'forward' }>).failure());
      expect(failure.rcode).to.equal('SERVFAIL');
      expect(failure.questions).to.deep.equal([]);
    });

    it('forwards a question of an unknown class and type unchanged', () => {
      expect(run(rawMessage(RD, [1, 0, 0, 0], [3, ...Buffer.from('web'), 0, 0xfd, 0xe8, 0, 77])).kind).to.equal('forward');
    });

    it('answers FORMERR to oversized names and labels', () => {
      const label = [63, ...Buffer.alloc(63, 'a')];
      const tooLong = [...label, ...label, ...label, ...label, 0, 0, 1, 0, 1];
      expect(replyOf(run(rawMessage(RD, [1, 0, 0, 0], tooLong))).rcode).to.equal('FORMERR');
      const badLabel = [64, ...Buffer.alloc(64, 'a'), 0, 0, 1, 0, 1];
      expect(replyOf(run(rawMessage(RD, [1, 0, 0, 0], badLabel))).rcode).to.equal('FORMERR');
    });
  });
});
