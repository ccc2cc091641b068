import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';

/** Response codes the resolver sends (RFC 1035 4.1.1). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** Smallest DNS message: the 12-byte header. */
export const HEADER_BYTES = 12;
/** A UDP reply without EDNS must fit in 512 bytes (RFC 1035 4.2.1). */
export const CLASSIC_UDP_BYTES = 512;
/**
 * The largest UDP reply we send to an EDNS client, whatever it advertises:
 * the DNS flag day 2020 size, which never fragments on an Ethernet bridge.
 */
export const MAX_UDP_REPLY_BYTES = 1232;
/** A message over TCP is prefixed by a 16-bit length. */
export const MAX_TCP_MESSAGE_BYTES = 65_535;

const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const TC = dnsPacket.TRUNCATED_RESPONSE;
/** Request bits a reply copies back: RD and CD (what miekg/dns's SetReply keeps). */
const ECHOED_FLAGS = dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED;

/** The fixed header fields, read without decoding the rest of the message. */
export interface Header {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/**
 * Reads the header, or undefined for a message shorter than one. Done before
 * dns-packet's decode so that absurd section counts are refused up front:
 * decode allocates an array per count, 65,535 slots each.
 */
export function peekHeader(message: Buffer): Header | undefined {
  if (message.length < HEADER_BYTES) return undefined;
  return {
    id: message.readUInt16BE(0),
    flags: message.readUInt16BE(2),
    qdcount: message.readUInt16BE(4),
    ancount: message.readUInt16BE(6),
    nscount: message.readUInt16BE(8),
    arcount: message.readUInt16BE(10),
  };
}

/** True for a message with the QR bit set: a response, never to be answered. */
export function isResponse(header: Header): boolean {
  return (header.flags & QR) !== 0;
}

/** The opcode (0 = QUERY). */
export function opcodeOf(header: Header): number {
  return (header.flags & OPCODE_MASK) >> 11;
}

/** The response code in a message's header. */
export function rcodeOf(message: Buffer): number {
  return message.length < HEADER_BYTES ? -1 : message.readUInt16BE(2) & 0xf;
}

/** True when a message's TC bit is set. */
export function isTruncated(message: Buffer): boolean {
  return message.length >= HEADER_BYTES && (message.readUInt16BE(2) & TC) !== 0;
}

/**
 * True when dns-packet encodes `question` back to exactly the bytes that
 * follow the header. It decodes labels as UTF-8 and joins them with dots,
 * and maps unknown classes to names it cannot encode back, so a label
 * holding a dot or invalid UTF-8, or an odd class, does not survive: such a
 * question is never matched locally, and is not echoed (a wrong echo makes
 * the client drop the reply as not its own).
 */
export function questionRoundTrips(message: Buffer, question: Question): boolean {
  const wire = dnsPacket.encode({ questions: [question] });
  return message.length >= wire.length && message.subarray(HEADER_BYTES, wire.length).equals(wire.subarray(HEADER_BYTES));
}

/**
 * A reply with no answers: `rcode`, the request's id, opcode, RD and CD, RA
 * set. The question is echoed when it could be decoded; a FORMERR for a
 * message we could not parse carries none.
 */
export function emptyReply(header: Header, rcode: number, question?: Question): Buffer {
  return dnsPacket.encode({
    id: header.id,
    type: 'response',
    flags: replyFlags(header, rcode),
    questions: question ? [question] : [],
  });
}

/** Header flags of a reply to `header`: opcode, RD and CD echoed, RA set, and the rcode. */
export function replyFlags(header: Header, rcode: number): number {
  return (header.flags & (OPCODE_MASK | ECHOED_FLAGS)) | dnsPacket.RECURSION_AVAILABLE | rcode;
}

/**
 * Encodes a reply, dropping answers from the end until it fits `maxBytes`
 * and then setting TC, so the client retries over TCP for the full set
 * (what Docker's resolver does). Record sizes are added up once, since
 * dns-packet does not compress names and sizes are therefore additive.
 */
export function encodeWithin(reply: Packet, maxBytes: number): Buffer {
  const full = dnsPacket.encodingLength(reply);
  if (full <= maxBytes) return dnsPacket.encode(reply);
  const answers = reply.answers ?? [];
  const bare = dnsPacket.encodingLength({ ...reply, answers: [] });
  let size = bare;
  let keep = 0;
  while (keep < answers.length) {
    const next = size + recordBytes(answers[keep]!);
    if (next > maxBytes) break;
    size = next;
    keep++;
  }
  return dnsPacket.encode({ ...reply, flags: (reply.flags ?? 0) | TC, answers: answers.slice(0, keep) });
}

function recordBytes(answer: Answer): number {
  return dnsPacket.encodingLength({ answers: [answer] }) - HEADER_BYTES;
}
