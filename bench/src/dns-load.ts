/**
 * The DNS section's load generator, a process of its own in the client
 * namespace (the "container"):
 *
 *   node dns-load.js '{"server":"10.249.0.1","port":53,"source":"10.249.0.10","name":"ctr-500","inFlight":32,"warmupMs":500,"durationMs":1500,"serverPid":4242}'
 *
 * Closed loop on one UDP socket: `inFlight` queries outstanding at all
 * times, each answer (or a loss after LOSS_TIMEOUT_MS) releasing the next
 * query. After `warmupMs` unmeasured (JIT, caches, socket buffers), answers
 * are counted for exactly `durationMs`, so every resolver gets the same
 * duration at the same concurrency. The server's CPU time is read from
 * /proc at the window's edges (the namespaces differ, the PID namespace
 * does not). Prints one JSON line, a {@link LoadRun}.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { percentile } from './stats.js';

export interface LoadSpec {
  server: string;
  port: number;
  /** The client's address: the resolvers scope names by the querying container's address. */
  source: string;
  /** The container name asked for (type A). */
  name: string;
  inFlight: number;
  warmupMs: number;
  durationMs: number;
  /** The resolver's process, whose CPU time over the window is reported. */
  serverPid: number;
}

/** What one load run measured, over the measured window only. */
export interface LoadRun {
  answered: number;
  /** Queries unanswered after LOSS_TIMEOUT_MS (replaced by a new one). */
  lost: number;
  /** Answers that were not NOERROR with at least one record. */
  wrong: number;
  /** The address in the first answer, decoded in full once: the sanity check that the name resolved to its record. */
  address: string;
  qps: number;
  p50Us: number;
  p99Us: number;
  /** The server's CPU time (user + system, all threads) over the window ÷ the answers in it. */
  serverCpuUsPerQuery: number;
  /** CPU time of this process over the window ÷ the window: near 1 means the client, not the server, was the bound. */
  clientCpuShare: number;
}

const LOSS_TIMEOUT_MS = 1000;

/** CPU time a process has used so far, in µs; /proc counts clock ticks of 10 ms. */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": state is field 0, utime 11, stime 12 (the whole thread group's).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function run(spec: LoadSpec): Promise<LoadRun> {
  const socket = dgram.createSocket('udp4');
  // One encoded query; each send patches only the 16-bit id of a copy.
  const template = dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: spec.name }] });
  const sentAt = new Map<number, bigint>();
  const latenciesUs: number[] = [];
  let nextId = 0;
  let [answered, lost, wrong] = [0, 0, 0];
  let address = '';
  let measuring = false;
  let stopped = false;

  const send = (): void => {
    if (stopped) return;
    do nextId = (nextId + 1) & 0xffff;
    while (sentAt.has(nextId));
    const query = Buffer.from(template);
    query.writeUInt16BE(nextId, 0);
    sentAt.set(nextId, process.hrtime.bigint());
    socket.send(query, spec.port, spec.server);
  };
  socket.on('message', (reply) => {
    const id = reply.readUInt16BE(0);
    const at = sentAt.get(id);
    if (at === undefined) return; // a late answer to a query already counted lost
    sentAt.delete(id);
    if (!address) {
      const a = dnsPacket.decode(reply).answers?.find((r) => r.type === 'A');
      address = a && a.type === 'A' ? a.data : 'no A record';
    }
    if (measuring) {
      latenciesUs.push(Number(process.hrtime.bigint() - at) / 1000);
      answered++;
      // RCODE (low 4 bits of the flags) NOERROR and ANCOUNT > 0, read from the header.
      if ((reply.readUInt16BE(2) & 0xf) !== 0 || reply.readUInt16BE(6) === 0) wrong++;
    }
    send();
  });
  const sweeper = setInterval(() => {
    const cutoff = process.hrtime.bigint() - BigInt(LOSS_TIMEOUT_MS) * 1_000_000n;
    for (const [id, at] of sentAt) {
      if (at > cutoff) continue;
      sentAt.delete(id);
      if (measuring) lost++;
      send();
    }
  }, 100);

  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: spec.source, port: 0 }, () => {
      for (let i = 0; i < spec.inFlight; i++) send();
      setTimeout(() => {
        measuring = true;
        const t0 = process.hrtime.bigint();
        const cpu0 = process.cpuUsage();
        const server0 = cpuUs(spec.serverPid);
        setTimeout(() => {
          measuring = false;
          stopped = true;
          const elapsedUs = Number(process.hrtime.bigint() - t0) / 1000;
          const cpu = process.cpuUsage(cpu0);
          const serverUs = cpuUs(spec.serverPid) - server0;
          clearInterval(sweeper);
          socket.close();
          if (answered === 0) return reject(new Error(`no answer from ${spec.server}:${spec.port} in ${spec.durationMs} ms (${lost} lost)`));
          resolve({
            answered,
            lost,
            wrong,
            address,
            qps: answered / (elapsedUs / 1e6),
            p50Us: percentile(latenciesUs, 50),
            p99Us: percentile(latenciesUs, 99),
            serverCpuUsPerQuery: serverUs / answered,
            clientCpuShare: (cpu.user + cpu.system) / elapsedUs,
          });
        }, spec.durationMs);
      }, spec.warmupMs);
    });
  });
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
process.stdout.write(`${JSON.stringify(await run(spec))}\n`);
