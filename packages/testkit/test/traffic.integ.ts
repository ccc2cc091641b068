import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { canConnect, httpGet, startAddressEcho, startHttpServer, startUdpEcho, udpRequest, useTestNamespaces, type NetnsHandle } from '../src/index.js';

// Both addresses exist only on the veth pair between our two namespaces.
const HOST_IP = '10.251.0.1';
const PEER_IP = '10.251.0.2';

describe('servers and probes across a veth pair', () => {
  const tn = useTestNamespaces();
  let host: NetnsHandle;
  let peer: NetnsHandle;

  beforeEach(async () => {
    host = await tn.createHost();
    peer = await tn.create('peer');
    // Interface names are per namespace, so fixed names cannot collide between parallel runs.
    await host.exec(['ip', 'link', 'add', 'ctt0', 'type', 'veth', 'peer', 'name', 'ctt1']);
    await host.exec(['ip', 'link', 'set', 'ctt1', 'netns', peer.path]);
    await host.exec(['ip', 'addr', 'add', `${HOST_IP}/24`, 'dev', 'ctt0']);
    await host.exec(['ip', 'link', 'set', 'ctt0', 'up']);
    await peer.exec(['ip', 'addr', 'add', `${PEER_IP}/24`, 'dev', 'ctt1']);
    await peer.exec(['ip', 'link', 'set', 'ctt1', 'up']);
  });

  it('httpGet from the peer reaches a server in the host namespace', async () => {
    await startHttpServer(tn, host, { port: 8080 });
    const res = await httpGet(peer, `http://${HOST_IP}:8080/`);
    expect(res).to.deep.equal({ status: 200, body: 'hello from 0.0.0.0:8080' });
  });

  it('serves a custom body verbatim, and accepts a namespace path', async () => {
    const body = `it's "quoted" $HOME; \`x\` \n -- --port 1`;
    await startHttpServer(tn, host.path, { port: 8081, host: HOST_IP, body });
    expect((await httpGet(peer.path, `http://${HOST_IP}:8081/x`)).body).to.equal(body);
  });

  it('startAddressEcho answers with the client address it sees', async () => {
    await startAddressEcho(tn, host, { port: 8082 });
    expect(await httpGet(peer, `http://${HOST_IP}:8082/`)).to.deep.equal({ status: 200, body: PEER_IP });
    expect((await httpGet(host, 'http://127.0.0.1:8082/')).body).to.equal('127.0.0.1');
  });

  it('canConnect tells an open port from a closed or unreachable one', async () => {
    await startHttpServer(tn, host, { port: 8080, host: HOST_IP });
    expect(await canConnect(peer, HOST_IP, 8080)).to.equal(true);
    expect(await canConnect(peer, HOST_IP, 8099)).to.equal(false);
    // No one owns .3: the SYN waits on ARP until our timeout.
    expect(await canConnect(peer, '10.251.0.3', 8080, { timeoutMs: 300 })).to.equal(false);
    // The server is bound to the veth address, not loopback.
    expect(await canConnect(host, '127.0.0.1', 8080)).to.equal(false);
  });

  it('httpGet rejects clearly when nothing listens', async () => {
    let caught: unknown;
    await httpGet(peer, `http://${HOST_IP}:8099/`).catch((err: unknown) => (caught = err));
    expect(String(caught)).to.include(`GET http://${HOST_IP}:8099/ from netns ${peer.path} failed: ECONNREFUSED`);
  });

  it('httpGet rejects on timeout', async () => {
    let caught: unknown;
    await httpGet(peer, 'http://10.251.0.3:80/', { timeoutMs: 300 }).catch((err: unknown) => (caught = err));
    expect(String(caught)).to.match(/timed out after 300 ms|EHOSTUNREACH/);
  });

  it('udpRequest gets the echo back, and undefined when nothing answers', async () => {
    await startUdpEcho(tn, host, { port: 5353 });
    expect(await udpRequest(peer, HOST_IP, 5353, 'ping 1')).to.equal('echo:ping 1');
    expect(await udpRequest(peer, HOST_IP, 5354, 'ping 2', { timeoutMs: 300 })).to.equal(undefined);
  });

  it('a server stopped early no longer answers', async () => {
    const server = await startHttpServer(tn, host, { port: 8080 });
    await server.stop();
    expect(await canConnect(peer, HOST_IP, 8080)).to.equal(false);
  });

  it('startHttpServer rejects with the server error when the port is taken', async () => {
    await startHttpServer(tn, host, { port: 8080 });
    let caught: unknown;
    await startHttpServer(tn, host, { port: 8080 }).catch((err: unknown) => (caught = err));
    expect(String(caught)).to.match(/HTTP server on 0\.0\.0\.0:8080 in netns .* did not start: .*EADDRINUSE/);
  });

  it('startUdpEcho rejects when the address is not in the namespace', async () => {
    let caught: unknown;
    await startUdpEcho(tn, peer, { port: 5353, host: HOST_IP }).catch((err: unknown) => (caught = err));
    expect(String(caught)).to.match(/UDP echo server on 10\.251\.0\.1:5353 .* did not start: .*EADDRNOTAVAIL/);
  });
});

describe('probes in the current namespace (loopback only)', () => {
  let server: Server;

  before((done) => {
    server = createServer((_req, res) => res.end('local')).listen(0, '127.0.0.1', done);
  });
  after((done) => {
    server.close(done);
  });

  it('httpGet and canConnect with ns undefined', async () => {
    const { port } = server.address() as AddressInfo;
    expect(await httpGet(undefined, `http://127.0.0.1:${port}/`)).to.deep.equal({ status: 200, body: 'local' });
    expect(await canConnect(undefined, '127.0.0.1', port)).to.equal(true);
  });
});
