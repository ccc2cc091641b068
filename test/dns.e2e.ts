/**
 * End to end: containers find each other by name on user networks. The
 * embedded resolver (in ctrnetd) answers container names, aliases (every
 * address, shuffled), `NAME.NETWORK` and PTR; NODATA for a missing family;
 * only names of the source's networks; everything else forwarded to an
 * upstream resolver (dnsmasq in a LAN namespace), except from an internal
 * network; over UDP and TCP; live as containers come and go; with a host DNS
 * server holding port 53; and again after the daemon is SIGKILLed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createCtrnetEnv, useTestNamespaces, type CtrnetEnv, type NetnsHandle, type TestNamespaces } from '@ctrnet/testkit';
import { LAN_PEER_IP, createLan } from './helpers/lan.js';

const QUERY = fileURLToPath(new URL('../fixtures/dns-query.mjs', import.meta.url));

interface Answer {
  rcode: string;
  answers: string[];
}

async function query(env: CtrnetEnv, from: string, server: string, name: string, type = 'A', transport = 'udp'): Promise<Answer> {
  return JSON.parse(await env.ok('exec', from, '--', process.execPath, QUERY, server, name, type, transport)) as Answer;
}

/** An upstream resolver on the LAN: dnsmasq answering example.test, NXDOMAIN for the rest (`/#/`: every other name, authoritatively). */
function upstream(tn: TestNamespaces, lan: NetnsHandle): void {
  tn.spawn(lan, ['dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${LAN_PEER_IP}`, '--address=/example.test/10.9.9.9', '--address=/#/', '--user=root']);
}

/** Wait until `probe` holds (the resolver binds and updates within moments). */
async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 60; i++) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: last answer ${JSON.stringify(last)}`);
}

describe('embedded DNS (e2e)', function () {
  this.timeout(180_000);
  const tn = useTestNamespaces();
  const sleeper = (env: CtrnetEnv, name: string, ...opts: string[]) => env.ok('run', '-d', '--name', name, ...opts, '--', 'sleep', '300');

  it('answers names, aliases round-robin, NAME.NETWORK and PTR; NODATA for the other family; forwards the rest over UDP and TCP', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true, config: { dns: [LAN_PEER_IP] } });
    const lan = await createLan(tn, env.host);
    upstream(tn, lan);
    await env.ok('network', 'create', '--subnet', '10.53.0.0/24', 'app');
    await env.ok('network', 'create', '--subnet', '10.54.0.0/24', 'other');
    await env.ok('network', 'create', '--subnet', '10.55.0.0/24', '--internal', 'sealed');
    await sleeper(env, 'db', '--net', 'app', '--ip', '10.53.0.10', '--network-alias', 'svc');
    await sleeper(env, 'db2', '--net', 'app', '--ip', '10.53.0.11', '--network-alias', 'svc');
    await sleeper(env, 'web', '--net', 'app');
    await sleeper(env, 'stranger', '--net', 'other');
    await sleeper(env, 'hermit', '--net', 'sealed');
    const gw = '10.53.0.1';

    expect(readFileSync(`${env.stateDir}/containers/${JSON.parse(await env.ok('inspect', 'web'))[0].Id}/resolv.conf`, 'utf8')).to.match(/^nameserver 10\.53\.0\.1\n(search .*\n)?options ndots:0\n$/);
    expect(await eventually(() => query(env, 'web', gw, 'db'), (a) => a.answers.length > 0, 'db')).to.deep.equal({ rcode: 'NOERROR', tc: false, answers: ['10.53.0.10'] });
    expect((await query(env, 'web', gw, 'db.app')).answers).to.deep.equal(['10.53.0.10']);
    expect((await query(env, 'web', gw, 'DB')).answers, 'case-insensitive').to.deep.equal(['10.53.0.10']);
    const orders = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const a = await query(env, 'web', gw, 'svc');
      expect([...a.answers].sort()).to.deep.equal(['10.53.0.10', '10.53.0.11']);
      orders.add(a.answers.join(','));
    }
    expect(orders.size, 'the alias is answered in more than one order (round robin)').to.equal(2);
    expect(await query(env, 'web', gw, '10.0.53.10.in-addr.arpa', 'PTR')).to.include({ rcode: 'NOERROR' }).and.have.deep.property('answers', ['db.app']);
    expect(await query(env, 'web', gw, 'db', 'AAAA'), 'NODATA, not forwarded').to.deep.include({ rcode: 'NOERROR', answers: [] });
    expect((await query(env, 'web', gw, 'db', 'A', 'tcp')).answers, 'over TCP').to.deep.equal(['10.53.0.10']);
    expect((await query(env, 'web', gw, 'www.example.test')).answers, 'forwarded upstream').to.deep.equal(['10.9.9.9']);
    expect((await query(env, 'web', gw, 'www.example.test', 'A', 'tcp')).answers, 'forwarded over TCP').to.deep.equal(['10.9.9.9']);
    expect((await query(env, 'web', gw, 'nosuch.test')).rcode, "upstream's NXDOMAIN").to.equal('NXDOMAIN');
    // Another network's container does not see app's names: its query goes upstream, which does not know them.
    expect((await query(env, 'stranger', '10.54.0.1', 'db')).rcode).to.equal('NXDOMAIN');
    // Nothing leaves an internal network, not even a DNS query: Docker answers SERVFAIL.
    expect((await query(env, 'hermit', '10.55.0.1', 'www.example.test')).rcode).to.equal('SERVFAIL');
  });

  it('follows start, stop, rename, connect and disconnect at the next query', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true, config: { dns: [LAN_PEER_IP] } });
    upstream(tn, await createLan(tn, env.host));
    await env.ok('network', 'create', '--subnet', '10.56.0.0/24', 'app');
    await env.ok('network', 'create', '--subnet', '10.57.0.0/24', 'side');
    await sleeper(env, 'web', '--net', 'app');
    await sleeper(env, 'db', '--net', 'app', '--ip', '10.56.0.20');
    const gw = '10.56.0.1';
    // A name the network lacks goes upstream, which answers NXDOMAIN: an empty answer that is not a timeout.
    const names = (name: string) =>
      query(env, 'web', gw, name).then((a) => {
        expect(a.rcode, `the answer for ${name}`).to.be.oneOf(['NOERROR', 'NXDOMAIN']);
        return a.answers;
      });
    expect(await eventually(() => names('db'), (a) => a.length === 1, 'db after start')).to.deep.equal(['10.56.0.20']);
    await env.ok('stop', '-t', '0', 'db');
    expect(await names('db'), 'after stop').to.deep.equal([]);
    await env.ok('start', 'db');
    expect(await names('db'), 'after start').to.deep.equal(['10.56.0.20']);
    await env.ok('rename', 'db', 'database');
    expect(await names('database'), 'the new name').to.deep.equal(['10.56.0.20']);
    expect(await names('db'), 'the old name').to.deep.equal([]);
    await sleeper(env, 'cache', '--net', 'side', '--ip', '10.57.0.30');
    expect(await names('cache'), 'not connected yet').to.deep.equal([]);
    await env.ok('network', 'connect', '--alias', 'kv', 'app', 'cache');
    const cacheIp = JSON.parse(await env.ok('inspect', 'cache'))[0].NetworkSettings.Networks.app.IPAddress as string;
    expect(await names('cache'), 'after connect').to.deep.equal([cacheIp]);
    expect(await names('kv'), 'its alias on app').to.deep.equal([cacheIp]);
    await env.ok('network', 'disconnect', 'app', 'cache');
    expect(await names('cache'), 'after disconnect').to.deep.equal([]);
  });

  it('works with a host DNS server holding port 53, and again after the daemon is SIGKILLed', async () => {
    const env = await createCtrnetEnv(tn, { daemon: true });
    // A squatter answering everything with 6.6.6.6 on every address of the host: queries it gets are wrong answers.
    tn.spawn(env.host, ['dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--address=/#/6.6.6.6', '--user=root']);
    await new Promise((r) => setTimeout(r, 300));
    await env.ok('network', 'create', '--subnet', '10.58.0.0/24', 'app');
    await sleeper(env, 'web', '--net', 'app');
    await sleeper(env, 'db', '--net', 'app', '--ip', '10.58.0.10');
    const gw = '10.58.0.1';
    expect(await eventually(() => query(env, 'web', gw, 'db').then((a) => a.answers), (a) => a[0] === '10.58.0.10', 'db despite the squatter')).to.deep.equal(['10.58.0.10']);
    expect((await query(env, 'web', gw, 'db', 'A', 'tcp')).answers, 'over TCP too').to.deep.equal(['10.58.0.10']);
    expect(env.daemon!.log()).to.contain('port 53 of 10.58.0.1 is taken');

    process.kill(Number(readFileSync(`${env.stateDir}/ctrnetd.pid`, 'utf8')), 'SIGKILL');
    await env.daemon!.restart();
    expect(await eventually(() => query(env, 'web', gw, 'db').then((a) => a.answers), (a) => a[0] === '10.58.0.10', 'db after the daemon came back')).to.deep.equal(['10.58.0.10']);
  });
});
