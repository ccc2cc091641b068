/**
 * A closed-loop UDP load generator: one socket, a fixed number of queries in
 * flight, each answer (or a loss after a timeout) releasing the next query.
 * Run inside the benchmark namespace by qps.ts:
 *   node loadgen.js SERVER PORT SOURCE NAME COUNT IN_FLIGHT WARMUP
 * and prints one JSON line of {@link LoadResult}.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** What one load run measured. */
export interface LoadResult {
  answered: number;
  lost: number;
  /** Replies that were not NOERROR with at least one answer. */
  wrong: number;
  elapsedMs: number;
  qps: number;
  p50Us: number;
  p99Us: number;
}

/** A query not answered within this long counts as lost and is replaced. */
const LOSS_TIMEOUT_MS = 1000;

async function main(): Promise<void> {
  const [server, portText, source, name, countText, inFlightText, warmupText] = process.argv.slice(2);
  const port = Number(portText);
  const count = Number(countText);
  const inFlight = Number(inFlightText);
  const warmup = Number(warmupText);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: source, port: 0 }, resolve));

  // One template query; only the id changes, patched into a copy per send.
  const template = dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
  const sentAt = new Map<number, bigint>();
  const latenciesUs: number[] = [];
  let nextId = 0;
  let issued = 0;
  let answered = 0;
  let lost = 0;
  let wrong = 0;
  let measuring = warmup === 0;
  let startedAt = process.hrtime.bigint();
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const send = (): void => {
    if (issued >= warmup + count) return;
    issued++;
    do nextId = (nextId + 1) & 0xffff;
    while (sentAt.has(nextId));
    const message = Buffer.from(template);
    message.writeUInt16BE(nextId, 0);
    sentAt.set(nextId, process.hrtime.bigint());
    socket.send(message, port, server);
  };
  const settle = (): void => {
    if (!measuring && answered + lost >= warmup) {
      measuring = true;
      latenciesUs.length = 0;
      answered = lost = wrong = 0;
      startedAt = process.hrtime.bigint();
    }
    if (measuring && answered + lost >= count) finish();
    else send();
  };

  socket.on('message', (reply) => {
    const id = reply.readUInt16BE(0);
    const at = sentAt.get(id);
    if (at === undefined) return;
    sentAt.delete(id);
    latenciesUs.push(Number(process.hrtime.bigint() - at) / 1000);
    answered++;
    // NOERROR and ANCOUNT > 0, read from the header.
    if ((reply.readUInt16BE(2) & 0xf) !== 0 || reply.readUInt16BE(6) === 0) wrong++;
    settle();
  });
  const sweeper = setInterval(() => {
    const cutoff = process.hrtime.bigint() - BigInt(LOSS_TIMEOUT_MS) * 1_000_000n;
    for (const [id, at] of sentAt) {
      if (at > cutoff) continue;
      sentAt.delete(id);
      lost++;
      settle();
    }
  }, 100);

  for (let i = 0; i < inFlight; i++) send();
  await done;
  const elapsedMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  clearInterval(sweeper);
  socket.close();
  latenciesUs.sort((a, b) => a - b);
  const at = (q: number): number => latenciesUs[Math.min(latenciesUs.length - 1, Math.floor(q * latenciesUs.length))] ?? NaN;
  const result: LoadResult = { answered, lost, wrong, elapsedMs, qps: (answered / elapsedMs) * 1000, p50Us: at(0.5), p99Us: at(0.99) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
