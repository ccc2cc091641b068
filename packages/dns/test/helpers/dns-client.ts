import dgram from 'node:dgram';
import net from 'node:net';
import { isIP } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet, type RecordType } from 'dns-packet';

/** Where to send a query. */
export interface Target {
  address: string;
  port: number;
}

/** Options of one test query. */
export interface QueryOptions {
  /** Bind the client to this address first: it plays the container. */
  source?: string;
  /** Give up after this long; the promise then resolves to undefined. Default 3 s. */
  timeoutMs?: number;
}

/** A decoded message with the header fields dns-packet decodes but its typings leave out. */
export type DecodedReply = DecodedPacket & { rcode: string; opcode: string };

/** dns-packet's decode, typed with the rcode and opcode. */
export function decodeReply(message: Buffer): DecodedReply {
  return dnsPacket.decode(message) as DecodedReply;
}

let nextId = 1;

/** A standard recursive query for one name and type, optionally with EDNS. */
export function makeQuery(name: string, type: RecordType | 'ANY' = 'A', edns?: number): Packet {
  nextId = (nextId % 65535) + 1;
  return {
    id: nextId,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as RecordType, class: 'IN' }],
    additionals: edns === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: edns, flags: 0 } as never],
  };
}

/** Sends raw bytes over UDP and resolves to the first datagram back, or undefined on timeout. */
export function udpRaw(target: Target, bytes: Buffer, opts: QueryOptions = {}): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(target.address) === 6 ? 'udp6' : 'udp4');
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), opts.timeoutMs ?? 3000);
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.on('message', (reply) => finish(reply));
    socket.bind({ address: opts.source, port: 0 }, () => socket.send(bytes, target.port, target.address));
  });
}

/**
 * Sends raw framed messages over one TCP connection and collects the framed
 * replies until `expect` arrived, the server closed, or time ran out.
 */
export function tcpRaw(target: Target, frames: Buffer[], expect: number, opts: QueryOptions = {}): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port, localAddress: opts.source });
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ replies, closed });
    };
    const timer = setTimeout(finish, opts.timeoutMs ?? 3000);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => socket.write(Buffer.concat(frames)));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const size = buffered.readUInt16BE(0);
        replies.push(buffered.subarray(2, 2 + size));
        buffered = buffered.subarray(2 + size);
      }
      if (replies.length >= expect) finish();
    });
  });
}

/** Frames a DNS message for TCP. */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** One query over UDP (default) or TCP, decoded; undefined when nothing came back in time. */
export async function query(target: Target, packet: Packet, opts: QueryOptions & { tcp?: boolean } = {}): Promise<DecodedReply | undefined> {
  const bytes = dnsPacket.encode(packet);
  if (opts.tcp) {
    const { replies } = await tcpRaw(target, [frame(bytes)], 1, opts);
    return replies[0] ? decodeReply(replies[0]) : undefined;
  }
  const reply = await udpRaw(target, bytes, opts);
  return reply ? decodeReply(reply) : undefined;
}

/** The addresses (A/AAAA data) or PTR targets of a reply's answers. */
export function answerData(reply: DecodedPacket | undefined): string[] {
  return (reply?.answers ?? []).map((a) => String((a as { data: unknown }).data));
}
