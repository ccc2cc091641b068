import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TestNamespaces, type NetnsHandle, type SpawnedProcess } from '@ctrnet/testkit';
import type { DnsView } from '../src/index.js';
import { startAgent, type Agent } from './helpers/agent-client.js';
import { answerData, makeQuery, type Target } from './helpers/dns-client.js';

// A host namespace with two bridges, as ctrnet makes them: "front"
// (10.231.1.1, fd31:1::1) and the internal "vault" (10.231.2.1). One
// container namespace on each, and an upstream namespace running dnsmasq,
// reachable from the host over a veth. The resolver runs in the host
// namespace on port 53 of the gateways, as the daemon will.
const FRONT_V4 = '10.231.1.1';
const FRONT_V6 = 'fd31:1::1';
const VAULT_V4 = '10.231.2.1';
const UPSTREAM = '10.231.9.2';
const WEB_V4 = '10.231.1.10';
const WEB_V6 = 'fd31:1::10';
const SECRET_V4 = '10.231.2.10';
/** More than 512 bytes of TXT, so dnsmasq must truncate it over UDP. */
const BIG_TXT = ['a', 'b', 'c'].map((c) => `"${c.repeat(200)}"`).join(',');

function view(): DnsView {
  return {
    upstream: [UPSTREAM],
    networks: [
      {
        id: 'n-front',
        name: 'front',
        internal: false,
        listen: [FRONT_V4, FRONT_V6],
        containers: [
          { id: 'c-web', name: 'web', aliases: ['www'], ipv4: WEB_V4, ipv6: WEB_V6 },
          { id: 'c-api', name: 'api', aliases: ['service'], ipv4: '10.231.1.11' },
        ],
      },
      { id: 'n-vault', name: 'vault', internal: true, listen: [VAULT_V4], containers: [{ id: 'c-secret', name: 'secret', aliases: [], ipv4: SECRET_V4 }] },
    ],
  };
}

describe('DnsResolver in network namespaces', function () {
  this.timeout(60_000);
  const tn = new TestNamespaces();
  let host: NetnsHandle;
  let resolver: Agent;
  let web: Agent;
  let secret: Agent;
  let dnsmasq: SpawnedProcess;
  let tmp: string;
  const gw = (address: string): Target => ({ address, port: 53 });

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ctrnet-dns-'));
    host = await tn.createHost();
    const webNs = await tn.create('dns-web');
    const secretNs = await tn.create('dns-secret');
    const upstreamNs = await tn.create('dns-up');
    for (const [bridge, v4, v6] of [['br0', `${FRONT_V4}/24`, `${FRONT_V6}/64`], ['br1', `${VAULT_V4}/24`, undefined]] as const) {
      await host.exec(['ip', 'link', 'add', bridge, 'type', 'bridge']);
      await host.exec(['ip', 'addr', 'add', v4, 'dev', bridge]);
      // nodad, as protocols.md 4.2 says: a tentative gateway cannot be bound.
      if (v6) await host.exec(['ip', '-6', 'addr', 'add', v6, 'dev', bridge, 'nodad']);
      await host.exec(['ip', 'link', 'set', bridge, 'up']);
    }
    await plug(host, 'vweb', 'br0', webNs, [`${WEB_V4}/24`, `${WEB_V6}/64`], FRONT_V4);
    await plug(host, 'vsecret', 'br1', secretNs, [`${SECRET_V4}/24`], VAULT_V4);
    await host.exec(['ip', 'link', 'add', 'vup', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', upstreamNs.name]);
    await host.exec(['ip', 'addr', 'add', '10.231.9.1/30', 'dev', 'vup']);
    await host.exec(['ip', 'link', 'set', 'vup', 'up']);
    await upstreamNs.exec(['ip', 'addr', 'add', `${UPSTREAM}/30`, 'dev', 'eth0']);
    await upstreamNs.exec(['ip', 'link', 'set', 'eth0', 'up']);
    dnsmasq = tn.spawn(upstreamNs, [
      'dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--log-queries', '--log-facility=-',
      '--address=/example.test/10.9.9.9', `--txt-record=big.example.test,${BIG_TXT}`,
      `--listen-address=${UPSTREAM}`, '--bind-interfaces', '--port=53', `--pid-file=${join(tmp, 'dnsmasq.pid')}`,
    ]);
    await dnsmasq.waitForOutput(/started, version/);
    resolver = startAgent(tn, host);
    web = startAgent(tn, webNs);
    secret = startAgent(tn, secretNs);
    await resolver.startResolver(view(), [FRONT_V4, FRONT_V6, VAULT_V4], { port: 53 });
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  it('answers names on the IPv4 and IPv6 gateways, with PTR in ip6.arpa', async () => {
    expect(answerData(await web.query(gw(FRONT_V4), makeQuery('service')))).to.deep.equal(['10.231.1.11']);
    expect(answerData(await web.query(gw(FRONT_V6), makeQuery('web.front', 'AAAA')))).to.deep.equal([WEB_V6]);
    const ptr = '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.1.3.d.f.ip6.arpa';
    expect(answerData(await web.query(gw(FRONT_V6), makeQuery(ptr, 'PTR')))).to.deep.equal(['web.front']);
    const nodata = await web.query(gw(FRONT_V4), makeQuery('api', 'AAAA'));
    expect(nodata?.rcode).to.equal('NOERROR');
    expect(nodata?.answers).to.deep.equal([]);
  });

  it('forwards unknown names to the upstream dnsmasq, over UDP and over TCP', async () => {
    for (const tcp of [false, true]) {
      const reply = await web.query(gw(FRONT_V4), makeQuery(`host-${tcp ? 'tcp' : 'udp'}.example.test`), { tcp });
      expect(answerData(reply), `tcp=${tcp}`).to.deep.equal(['10.9.9.9']);
    }
    expect(dnsmasq.output()).to.match(/query\[A\] host-udp\.example\.test from 10\.231\.9\.1/);
    expect(dnsmasq.output()).to.match(/query\[A\] host-tcp\.example\.test from 10\.231\.9\.1/);
  });

  it('passes dnsmasq\'s truncated UDP reply on, and the TCP retry gets it whole', async () => {
    const udp = await web.query(gw(FRONT_V4), makeQuery('big.example.test', 'TXT'));
    expect(udp?.flag_tc).to.equal(true);
    const tcp = await web.query(gw(FRONT_V4), makeQuery('big.example.test', 'TXT'), { tcp: true });
    expect(tcp?.flag_tc).to.equal(false);
    expect(tcp?.answers?.[0]?.type).to.equal('TXT');
  });

  it('keeps networks apart: vault\'s names are not answered on front, nor front\'s to vault', async () => {
    const reply = await web.query(gw(FRONT_V4), makeQuery('secret'));
    expect(answerData(reply)).to.not.include(SECRET_V4);
    expect(dnsmasq.output()).to.match(/query\[A\] secret from 10\.231\.9\.1/);
    // secret asks the front gateway (routed via its own): still only vault's names.
    expect((await secret.query(gw(FRONT_V4), makeQuery('web')))?.rcode).to.equal('SERVFAIL');
  });

  it('forwards nothing from the internal network', async () => {
    expect(answerData(await secret.query(gw(VAULT_V4), makeQuery('secret')))).to.deep.equal([SECRET_V4]);
    const reply = await secret.query(gw(VAULT_V4), makeQuery('leak.example.test'));
    expect(reply?.rcode).to.equal('SERVFAIL');
    expect(dnsmasq.output()).to.not.include('leak.example.test');
  });

  it('binds gateway addresses that appear late or are still tentative (EADDRNOTAVAIL retried)', async () => {
    const listening = resolver.request({ op: 'listen', addresses: ['10.231.3.1'] });
    await new Promise((r) => setTimeout(r, 400));
    await host.exec(['ip', 'link', 'add', 'late0', 'type', 'bridge']);
    await host.exec(['ip', 'addr', 'add', '10.231.3.1/24', 'dev', 'late0']);
    await host.exec(['ip', 'link', 'set', 'late0', 'up']);
    await listening;
    // Without nodad the address is tentative for about a second while DAD runs.
    await host.exec(['ip', '-6', 'addr', 'add', 'fd31:1::53/64', 'dev', 'br0']);
    const state = (await host.exec(['ip', '-6', 'addr', 'show', 'dev', 'br0'])).stdout;
    const started = Date.now();
    await resolver.request({ op: 'listen', addresses: ['fd31:1::53'] });
    if (/fd31:1::53\/64 scope global tentative/.test(state)) expect(Date.now() - started).to.be.above(100);
    const late = view();
    late.networks[0]!.listen.push('fd31:1::53');
    await resolver.request({ op: 'update', view: late });
    expect(answerData(await web.query({ address: 'fd31:1::53', port: 53 }, makeQuery('www', 'AAAA')))).to.deep.equal([WEB_V6]);
  });

  it('gives up on an address that never appears, naming it', async () => {
    const err = await resolver.request({ op: 'listen', addresses: ['10.231.77.1'] }).catch((e: unknown) => e as Error & { code?: string });
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/10\.231\.77\.1:53: no interface has this address after 3000 ms/);
  });
});

/** A veth from the host bridge into a container namespace, addressed, with a default route. */
async function plug(host: NetnsHandle, hostIf: string, bridge: string, ns: NetnsHandle, addresses: string[], gateway: string): Promise<void> {
  await host.exec(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
  await host.exec(['ip', 'link', 'set', hostIf, 'master', bridge, 'up']);
  for (const address of addresses) {
    await ns.exec(address.includes(':') ? ['ip', '-6', 'addr', 'add', address, 'dev', 'eth0', 'nodad'] : ['ip', 'addr', 'add', address, 'dev', 'eth0']);
  }
  await ns.exec(['ip', 'link', 'set', 'eth0', 'up']);
  await ns.exec(['ip', 'route', 'add', 'default', 'via', gateway]);
}
