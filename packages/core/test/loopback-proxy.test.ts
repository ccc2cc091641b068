import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtrnetError, type PortBinding } from '../src/index.js';
import { loopbackProxyAlive, loopbackTargets, startLoopbackProxy, stopLoopbackProxy } from '../src/runtime/loopback-proxy.js';

const B: PortBinding = { containerId: 'c', networkId: 'n', bridge: 'br0', protocol: 'tcp', hostIp: '::', hostPort: 8080, containerIp: 'fd00::2', containerPort: 80 };

/** A port nobody listens on right now, on [::1]. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sends `text` to [::1]:port over TCP and resolves with the reply. */
function tcpRoundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '::1', () => socket.end(text));
    let reply = '';
    socket.on('data', (d) => (reply += d.toString())).on('end', () => resolve(reply)).on('error', reject);
  });
}

describe('runtime/loopback-proxy', () => {
  it('carries NATed IPv6 TCP and UDP ports on :: and ::1, nothing else', () => {
    const bindings: PortBinding[] = [
      B,
      { ...B, hostIp: '::1', hostPort: 8081, protocol: 'udp' },
      { ...B, hostIp: 'fd00:6::1', hostPort: 8082 },
      { ...B, hostIp: '0.0.0.0', containerIp: '10.0.0.2' },
      { ...B, protocol: 'sctp' },
      { ...B, hostIp: 'fd00::2', hostPort: 80, routed: true },
    ];
    expect(loopbackTargets(bindings)).to.deep.equal([
      { protocol: 'tcp', port: 8080, host: 'fd00::2', targetPort: 80 },
      { protocol: 'udp', port: 8081, host: 'fd00::2', targetPort: 80 },
    ]);
  });

  describe('on [::1] of this machine (loopback only)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ctrnet-proxy-'));
    });
    afterEach(async () => {
      await stopLoopbackProxy(dir);
      rmSync(dir, { recursive: true, force: true });
    });

    it('forwards TCP and UDP both ways, and stops for good', async () => {
      const upstream = createServer((s) => s.on('data', (d) => s.end(`tcp:${d}`)));
      await new Promise<void>((resolve) => upstream.listen(0, '::1', resolve));
      const udp = createSocket('udp6');
      udp.on('message', (m, from) => udp.send(`udp:${m}`, from.port, from.address));
      await new Promise<void>((resolve) => udp.bind(0, '::1', resolve));
      try {
        const [tcpPort, udpPort] = [await freePort(), await freePort()];
        await startLoopbackProxy(dir, [
          { protocol: 'tcp', port: tcpPort, host: '::1', targetPort: (upstream.address() as AddressInfo).port },
          { protocol: 'udp', port: udpPort, host: '::1', targetPort: udp.address().port },
        ]);
        expect(loopbackProxyAlive(dir)).to.equal(true);
        expect(await tcpRoundTrip(tcpPort, 'hello')).to.equal('tcp:hello');
        const client = createSocket('udp6');
        const reply = await new Promise<string>((resolve) => {
          client.on('message', (m) => resolve(m.toString()));
          client.send('ping', udpPort, '::1');
        });
        client.close();
        expect(reply).to.equal('udp:ping');
        await stopLoopbackProxy(dir);
        await stopLoopbackProxy(dir);
        expect(loopbackProxyAlive(dir)).to.equal(false);
        const refused = await tcpRoundTrip(tcpPort, 'x').then(() => 'answered', (e: NodeJS.ErrnoException) => e.code);
        // Refused, or reset when the kernel had queued the handshake just as the listener closed.
        expect(refused).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET']);
      } finally {
        upstream.close();
        udp.close();
      }
    });

    it('fails with CONFLICT, leaving nothing running, when a port on [::1] is taken', async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '::1', resolve));
      try {
        const err = await startLoopbackProxy(dir, [{ protocol: 'tcp', port: (taken.address() as AddressInfo).port, host: '::1', targetPort: 1 }]).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'CONFLICT');
        expect((err as Error).message).to.match(/\[::1\]:\d+\/tcp: listen EADDRINUSE/);
        expect(loopbackProxyAlive(dir)).to.equal(false);
      } finally {
        taken.close();
      }
    });
  });
});
