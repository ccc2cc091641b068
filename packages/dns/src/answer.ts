import createDebug from 'debug';
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question } from 'dns-packet';
import type { ServerAddress } from './addresses.js';
import {
  CLASSIC_UDP_BYTES,
  MAX_TCP_MESSAGE_BYTES,
  MAX_UDP_REPLY_BYTES,
  RCODE,
  emptyReply,
  encodeWithin,
  isResponse,
  opcodeOf,
  peekHeader,
  questionRoundTrips,
  replyFlags,
  type Header,
} from './packet.js';
import { resolveName, resolvePtr, type NameAddresses, type QueryScope, type RecordIndex } from './records.js';

const debug = createDebug('ctrnet:dns:answer');

/** TTL of every local record, as Docker's resolver (respTTL). */
export const RECORD_TTL = 600;

/**
 * What a container whose networks are all internal gets for a name the
 * resolver does not own. Docker's resolver answers SERVFAIL when proxying
 * is off (libnetwork resolver.go, 20.10 and current); aardvark-dns answers
 * NXDOMAIN. We follow Docker.
 */
export const NOT_FORWARDED_RCODE = RCODE.SERVFAIL;

/** Where a query came from and on which socket. */
export interface QueryContext {
  /** Canonical address of the socket the query arrived on (the gateway of its network). */
  listen: string;
  /** Canonical source address (the container). */
  source: string;
  transport: 'udp' | 'tcp';
}

/** What to do with one incoming message. */
export type Outcome =
  | {
      kind: 'reply';
      reply: Buffer;
      /** A local answer with at most one record: the same bytes (but the id) answer the same query until the view changes. */
      cacheable?: boolean;
    }
  | {
      kind: 'forward';
      /** Servers to try in order. */
      servers: ServerAddress[];
      /** The reply to send when no server gives a usable answer. */
      failure: () => Buffer;
    }
  | { kind: 'drop'; reason: string };

/** The opcode of a standard query. */
const OPCODE_QUERY = 0;

/**
 * Decides the fate of one message: a local answer, a forward, an error
 * reply, or silence. Never throws: a message that cannot be parsed gets
 * FORMERR when it has a header to answer to, and is dropped otherwise.
 * Responses are dropped so two resolvers can never ping-pong.
 */
export function answerQuery(message: Buffer, ctx: QueryContext, index: RecordIndex): Outcome {
  const header = peekHeader(message);
  if (!header) return { kind: 'drop', reason: 'shorter than a DNS header' };
  if (isResponse(header)) return { kind: 'drop', reason: 'a response, not a query' };
  if (opcodeOf(header) !== OPCODE_QUERY) return reply(emptyReply(header, RCODE.NOTIMP));
  // miekg/dns's default acceptance rules: one question, no answers, at most
  // one authority (IXFR) and two additionals (OPT + TSIG).
  if (header.qdcount !== 1 || header.ancount > 0 || header.nscount > 1 || header.arcount > 2) {
    return reply(emptyReply(header, RCODE.FORMERR));
  }
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch (err) {
    debug('FORMERR for %s: %s', ctx.source, (err as Error).message);
    return reply(emptyReply(header, RCODE.FORMERR));
  }
  try {
    return decide(message, header, query, ctx, index);
  } catch (err) {
    // A bug, or a message dns-packet decodes but cannot encode back: answer, never crash the listener.
    debug('SERVFAIL for %s: %s', ctx.source, (err as Error).message);
    return reply(emptyReply(header, RCODE.SERVFAIL));
  }
}

function decide(message: Buffer, header: Header, query: DecodedPacket, ctx: QueryContext, index: RecordIndex): Outcome {
  const question = query.questions![0]!;
  const echo = questionRoundTrips(message, question) ? question : undefined;
  const scope = index.scope(ctx.listen, ctx.source);
  if (!scope) return reply(emptyReply(header, RCODE.REFUSED, echo));
  const local = echo && localReply(header, query, echo, scope, ctx);
  if (local) return { kind: 'reply', reply: local.reply, cacheable: local.records <= 1 };
  if (!scope.forward || scope.upstream.length === 0) return reply(emptyReply(header, NOT_FORWARDED_RCODE, echo));
  return { kind: 'forward', servers: scope.upstream, failure: () => emptyReply(header, RCODE.SERVFAIL, echo) };
}

function reply(message: Buffer): Outcome {
  return { kind: 'reply', reply: message };
}

/** The local answer and its record count, or undefined when the name is not ours and the query should go upstream. */
function localReply(
  header: Header,
  query: DecodedPacket,
  question: Question,
  scope: QueryScope,
  ctx: QueryContext,
): { reply: Buffer; records: number } | undefined {
  const qclass = question.class ?? 'IN';
  if (qclass !== 'IN' && qclass !== 'ANY') return undefined;
  let answers: Answer[];
  if (question.type === 'PTR') {
    const target = resolvePtr(scope, question.name);
    if (target === undefined) return undefined;
    answers = [{ type: 'PTR', class: 'IN', name: question.name, ttl: RECORD_TTL, data: target }];
  } else {
    const addresses = resolveName(scope, question.name);
    if (!addresses) return undefined;
    // A known name answers every type itself: records for A/AAAA/ANY,
    // NODATA for the rest, so container names never leak upstream.
    answers = addressAnswers(question, addresses);
  }
  const optIn = query.additionals?.find((rr): rr is OptAnswer => rr.type === 'OPT');
  const packet: Packet = {
    id: header.id,
    type: 'response',
    flags: replyFlags(header, RCODE.NOERROR),
    questions: [question],
    answers,
    additionals: optIn ? [{ type: 'OPT', name: '.', udpPayloadSize: MAX_UDP_REPLY_BYTES, flags: 0 } as OptAnswer] : [],
  };
  return { reply: encodeWithin(packet, replyLimit(ctx.transport, optIn)), records: answers.length };
}

function addressAnswers(question: Question, addresses: NameAddresses): Answer[] {
  const answers: Answer[] = [];
  // dns-packet decodes type 255 as 'ANY', which its typings leave out.
  const type: string = question.type;
  const wantA = type === 'A' || type === 'ANY';
  const wantAAAA = type === 'AAAA' || type === 'ANY';
  if (wantA) for (const ip of shuffled(addresses.ipv4)) answers.push({ type: 'A', class: 'IN', name: question.name, ttl: RECORD_TTL, data: ip });
  if (wantAAAA) for (const ip of shuffled(addresses.ipv6)) answers.push({ type: 'AAAA', class: 'IN', name: question.name, ttl: RECORD_TTL, data: ip });
  return answers;
}

/** The reply size limit: 64 KiB over TCP; over UDP the client's EDNS size within [512, 1232], else 512. */
function replyLimit(transport: 'udp' | 'tcp', opt: OptAnswer | undefined): number {
  if (transport === 'tcp') return MAX_TCP_MESSAGE_BYTES;
  if (!opt) return CLASSIC_UDP_BYTES;
  return Math.min(MAX_UDP_REPLY_BYTES, Math.max(CLASSIC_UDP_BYTES, opt.udpPayloadSize));
}

/** Fisher–Yates on the list (a fresh array per query): every reply a new order, i.e. round robin. */
function shuffled(list: string[]): string[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
