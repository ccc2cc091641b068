import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import { decodeReply, frame, type DecodedReply } from './dns-client.js';

/** How the fake upstream treats one query: a reply packet, raw bytes, or silence. */
export type Behaviour = (query: DecodedReply, transport: 'udp' | 'tcp') => Packet | Buffer | 'silent';

/** One query the fake upstream received. */
export interface Seen {
  name: string;
  type: string;
  id: number;
  transport: 'udp' | 'tcp';
}

/** A scripted DNS server on a loopback address, UDP and TCP on one port. */
export interface FakeUpstream {
  address: string;
  port: number;
  /** `ADDRESS:PORT`, as a view's upstream entry. */
  spec: string;
  seen: Seen[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

/** An A reply with `address` for whatever was asked, keeping the query's id and question. */
export function answerWith(address: string): Behaviour {
  return (query) => ({
    id: query.id,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: query.questions,
    answers: [{ type: 'A', name: query.questions![0]!.name, ttl: 60, data: address }],
  });
}

/** A reply with only an rcode (3 = NXDOMAIN, 2 = SERVFAIL, 5 = REFUSED). */
export function rcodeReply(rcode: number): Behaviour {
  return (query) => ({ id: query.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE | rcode, questions: query.questions });
}

/** Starts a fake upstream on `address` (a free port). */
export async function startFakeUpstream(address: string, behaviour: Behaviour): Promise<FakeUpstream> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind({ address, port: 0 }, resolve));
  const port = udp.address().port;
  const fake: FakeUpstream = { address, port, spec: `${address}:${port}`, seen: [], behaviour, close: async () => undefined };
  const respond = (message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    const query = decodeReply(message);
    const q = query.questions![0]!;
    fake.seen.push({ name: q.name, type: q.type, id: query.id!, transport });
    const out = fake.behaviour(query, transport);
    if (out === 'silent') return undefined;
    return Buffer.isBuffer(out) ? out : dnsPacket.encode(out);
  };
  udp.on('message', (message, peer) => {
    const reply = respond(message, 'udp');
    if (reply) udp.send(reply, peer.port, peer.address);
  });
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const size = buffered.readUInt16BE(0);
        const reply = respond(buffered.subarray(2, 2 + size), 'tcp');
        buffered = buffered.subarray(2 + size);
        if (reply) socket.write(frame(reply));
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen({ host: address, port }, resolve));
  fake.close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([new Promise((r) => udp.close(() => r(undefined))), new Promise((r) => tcp.close(() => r(undefined)))]);
  };
  return fake;
}
