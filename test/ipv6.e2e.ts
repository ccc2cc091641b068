/**
 * End to end: IPv6 through the CLI, on both port backends, by real packets.
 * Dual-stack networks (explicit and auto-picked ULA subnets), an
 * IPv6-only one, container to container and to the LAN (masqueraded), the
 * LAN to a published port on the host's IPv6 address, `[::1]` (through the
 * loopback proxy), hairpin, the direct-routing guard, isolation, icc=false,
 * internal networks, gateway mode routed, `--ip6` and `connect --ip6`,
 * what inspect, ps and port show, and that removing everything leaves no
 * IPv6 rule, map element or proxy behind.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { TestNamespaces, canConnect, createCtrnetEnv, execIn, httpGet, netnsPath, startAddressEcho, useTestNamespaces, type CtrnetEnv, type NetnsHandle } from '@ctrnet/testkit';
import { iptablesRules, nftRuleset } from './helpers/kernel.js';
import { HOST_LAN_IP, HOST_LAN_IP6, LAN_PEER_IP6, createLan } from './helpers/lan.js';

/** Answers every request with the client's address as the container sees it (IPv4 clients without the ::ffff: prefix). */
const ECHO = "require('http').createServer((q,s)=>s.end(q.socket.remoteAddress.replace(/^::ffff:/,''))).listen(Number(process.argv[1]||80),'::')";
/** A negative probe waits this long for an answer that must not come. */
const DROPPED_MS = 700;
/** Where the LAN's address echo listens. */
const LAN_ECHO_PORT = 8000;

interface NetworkView {
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPv6Gateway: string;
}

interface InspectView {
  NetworkSettings: { SandboxKey: string; Ports: Record<string, { HostIp: string; HostPort: string }[] | null>; Networks: Record<string, NetworkView> };
}

async function inspect(env: CtrnetEnv, name: string): Promise<InspectView> {
  return (JSON.parse(await env.ok('inspect', name)) as InspectView[])[0]!;
}

function url(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
}

/** The client address the echo at host:port saw, asked from `ns`. */
async function seen(ns: NetnsHandle | string, host: string, port: number): Promise<string> {
  const res = await httpGet(ns, url(host, port));
  expect(res.status, url(host, port)).to.equal(200);
  return res.body;
}

/** Start an echo container and wait until it answers on its first address (IPv6 when it has one). */
async function echo(env: CtrnetEnv, name: string, ...opts: string[]): Promise<NetworkView & { netns: string }> {
  await env.ok('run', '-d', '--name', name, ...opts, '--', process.execPath, '-e', ECHO);
  const view = await inspect(env, name);
  const net = Object.values(view.NetworkSettings.Networks)[0]!;
  const ip = net.GlobalIPv6Address || net.IPAddress;
  // Asked from inside the container: the host cannot reach every network (gateway mode isolated).
  for (let i = 0; i < 100 && !(await canConnect(view.NetworkSettings.SandboxKey, ip, 80, { timeoutMs: 200 })); i++) await new Promise((r) => setTimeout(r, 50));
  return { ...net, netns: view.NetworkSettings.SandboxKey };
}

/** Processes whose title is the loopback proxy's. */
/** Loopback proxies running in `host` (other tests on the machine may run their own elsewhere). */
function proxies(host: NetnsHandle): number {
  const inHost = statSync(netnsPath(host)).ino;
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').startsWith('ctrnet-loopback-proxy') && statSync(`/proc/${entry}/ns/net`).ino === inHost) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

describe('IPv6 (e2e)', function () {
  this.timeout(180_000);

  for (const backend of ['nftables', 'iptables'] as const) {
    describe(`with the ${backend} backend`, () => {
      // One installation for the whole matrix (starting containers is the slow part), cleaned once at the end.
      const tn = new TestNamespaces();
      let env: CtrnetEnv;
      let lan: NetnsHandle;
      const c: Record<string, NetworkView & { netns: string }> = {};
      const opens = (from: NetnsHandle | string, host: string, port: number) => canConnect(from, host, port, { timeoutMs: DROPPED_MS });

      before(async function () {
        this.timeout(180_000);
        env = await createCtrnetEnv(tn, { env: { CTRNET_PORT_BACKEND: backend } });
        lan = await createLan(tn, env.host);
        await startAddressEcho(tn, lan, { port: LAN_ECHO_PORT, host: '::' });
        await execIn(env.host, ['sysctl', '-qw', 'net.bridge.bridge-nf-call-ip6tables=1', 'net.bridge.bridge-nf-call-iptables=1']);
        // First, so the default network holds 172.17.0.0/16 before auto-picked IPv4 subnets are chosen (as docker0 does).
        c.plain = await echo(env, 'plain');
        await env.ok('network', 'create', '--ipv6', '--subnet', 'fd00:e2e:1::/64', '--subnet', '10.61.1.0/24', 'dual');
        await env.ok('network', 'create', '--ipv6', 'auto6');
        await env.ok('network', 'create', '--ipv6', '-o', 'icc=false', 'quiet6');
        await env.ok('network', 'create', '--ipv6', '--internal', 'sealed6');
        await env.ok('network', 'create', '--ipv6', '--ipv4=false', '--subnet', 'fd00:e2e:6::/64', 'only6');
        await env.ok('network', 'create', '--ipv6', '--subnet', 'fd00:e2e:7::/64', '-o', 'com.docker.network.bridge.gateway_mode_ipv6=routed', 'routed6');
        await env.ok('network', 'create', '--ipv6', '--internal', '--subnet', 'fd00:e2e:8::/64', '-o', 'gateway_mode_ipv6=isolated', 'iso6');
        const specs: [string, string[]][] = [
          ['pub', ['--net', 'dual', '-p', '8080:80']],
          ['peer', ['--net', 'dual']],
          ['other', ['--net', 'auto6']],
          ['q1', ['--net', 'quiet6']],
          ['q2', ['--net', 'quiet6']],
          ['sealed', ['--net', 'sealed6', '-p', '8082:80']],
          ['v6only', ['--net', 'only6', '--ip6', 'fd00:e2e:6::66', '-p', '8090:80']],
          ['routed', ['--net', 'routed6', '-p', '80']],
          ['iso1', ['--net', 'iso6']],
          ['iso2', ['--net', 'iso6']],
        ];
        for (const [name, opts] of specs) c[name] = await echo(env, name, ...opts);
      });
      after(async function () {
        this.timeout(60_000);
        await tn.cleanup();
      });

      it('shows IPv6 in inspect, network inspect, ps and port', async () => {
        const pub = c.pub!;
        expect(pub).to.include({ IPPrefixLen: 24, Gateway: '10.61.1.1', GlobalIPv6Address: 'fd00:e2e:1::2', GlobalIPv6PrefixLen: 64, IPv6Gateway: 'fd00:e2e:1::1' });
        const [net] = JSON.parse(await env.ok('network', 'inspect', 'dual')) as { EnableIPv4: boolean; EnableIPv6: boolean; IPAM: { Config: { Subnet: string; Gateway: string }[] } }[];
        expect(net).to.include({ EnableIPv4: true, EnableIPv6: true });
        expect(net!.IPAM.Config).to.deep.equal([
          { Subnet: '10.61.1.0/24', Gateway: '10.61.1.1' },
          { Subnet: 'fd00:e2e:1::/64', Gateway: 'fd00:e2e:1::1' },
        ]);
        const [auto] = JSON.parse(await env.ok('network', 'inspect', 'auto6')) as { IPAM: { Config: { Subnet: string }[] } }[];
        expect(auto!.IPAM.Config[1]!.Subnet, 'an auto-picked ULA /64').to.match(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{0,4}:?:\/64$/);
        expect(await env.ok('port', 'pub')).to.equal('80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080');
        expect(await env.ok('ps')).to.contain('0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
        const listed = (JSON.parse(await env.ok('ps', '--format', 'json')) as { Name: string; IPs: string[] }[]).find((c) => c.Name === 'pub');
        expect(listed?.IPs, "ps --format json: the container's addresses, IPv4 first").to.deep.equal(['10.61.1.2', 'fd00:e2e:1::2']);
        expect((await inspect(env, 'pub')).NetworkSettings.Ports['80/tcp']).to.deep.equal([
          { HostIp: '0.0.0.0', HostPort: '8080' },
          { HostIp: '::', HostPort: '8080' },
        ]);
        const dual = (JSON.parse(await env.ok('network', 'ls', '--format', 'json')) as { Name: string; Subnet: string; IPv6Subnet: string }[]).find((n) => n.Name === 'dual');
        expect(dual, 'network ls --format json: both subnets').to.include({ Subnet: '10.61.1.0/24', IPv6Subnet: 'fd00:e2e:1::/64' });
        await env.ok('run', '-d', '--name', 'eph', '--net', 'dual', '-p', '80', '--', 'sleep', '60');
        const lines = (await env.ok('port', 'eph')).split('\n');
        const [v4, v6] = lines.map((l) => l.split(':').pop());
        expect(lines, 'an ephemeral host port, the same for both families').to.deep.equal([`80/tcp -> 0.0.0.0:${v4}`, `80/tcp -> [::]:${v4}`]);
        expect(v6).to.equal(v4);
        await env.ok('rm', '-f', 'eph');
      });

      it('gives containers IPv6 addresses and routes, and IPv4-only containers IPv6 off', async () => {
        const addr = await env.ok('exec', 'pub', '--', 'ip', '-o', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'global');
        expect(addr).to.contain('fd00:e2e:1::2/64').and.not.contain('tentative');
        expect(await env.ok('exec', 'pub', '--', 'ip', '-6', 'route', 'show', 'default')).to.contain('default via fd00:e2e:1::1 dev eth0');
        expect((await env.ok('exec', 'pub', '--', 'sysctl', '-n', 'net.ipv6.conf.eth0.accept_ra')).trim()).to.equal('0');
        expect((await env.ok('exec', 'plain', '--', 'sysctl', '-n', 'net.ipv6.conf.eth0.disable_ipv6')).trim()).to.equal('1');
        expect(await env.ok('exec', 'pub', '--', 'cat', '/etc/hosts')).to.contain('fd00:e2e:1::2\t');
      });

      it('connects containers over IPv6, masquerades their egress, and serves published ports to the LAN, the host, [::1] and hairpin', async () => {
        expect(await seen(c.peer!.netns, c.pub!.GlobalIPv6Address, 80), 'container to container').to.equal(c.peer!.GlobalIPv6Address);
        expect(await seen(c.peer!.netns, LAN_PEER_IP6, LAN_ECHO_PORT), 'to the LAN, masqueraded').to.equal(HOST_LAN_IP6);
        expect(await seen(lan, HOST_LAN_IP6, 8080), 'the LAN to the host IPv6 address, client kept').to.equal(LAN_PEER_IP6);
        expect(await seen(lan, HOST_LAN_IP, 8080), 'and over IPv4, same host port').to.equal('10.200.0.2');
        expect(await seen(env.host, '::1', 8080), '[::1], through the loopback proxy').to.equal('fd00:e2e:1::1');
        expect(await seen(env.host, '127.0.0.1', 8080), '127.0.0.1').to.equal('10.61.1.1');
        expect(await seen(c.pub!.netns, HOST_LAN_IP6, 8080), 'hairpin over IPv6').to.equal('fd00:e2e:1::1');
        expect(await seen(c.peer!.netns, HOST_LAN_IP6, 8080), 'a neighbour through the host address').to.equal('fd00:e2e:1::1');
      });

      it('drops direct routing to container IPv6 addresses, traffic between networks and on an icc=false network, and IPv6 egress of an internal network', async () => {
        const open = await Promise.all([
          opens(lan, c.pub!.GlobalIPv6Address, 80),
          opens(lan, c.other!.GlobalIPv6Address, 80),
          opens(c.other!.netns, c.pub!.GlobalIPv6Address, 80),
          opens(c.pub!.netns, c.other!.GlobalIPv6Address, 80),
          opens(c.q2!.netns, c.q1!.GlobalIPv6Address, 80),
          opens(c.sealed!.netns, LAN_PEER_IP6, LAN_ECHO_PORT),
          opens(lan, HOST_LAN_IP6, 8082),
          opens(env.host, '::1', 8082),
        ]);
        expect(open, 'direct x2, between networks x2, icc=false, internal egress, internal published port from the LAN and [::1]').to.deep.equal([false, false, false, false, false, false, false, false]);
        expect(await seen(c.q1!.netns, LAN_PEER_IP6, LAN_ECHO_PORT), 'icc=false still has egress').to.equal(HOST_LAN_IP6);
      });

      it('runs an IPv6-only container at its --ip6 address, publishing over IPv6 only', async () => {
        const v6 = c.v6only!;
        expect(v6).to.include({ IPAddress: '', GlobalIPv6Address: 'fd00:e2e:6::66', IPv6Gateway: 'fd00:e2e:6::1' });
        expect(await env.ok('exec', 'v6only', '--', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0')).to.equal('');
        expect(await seen(lan, HOST_LAN_IP6, 8090)).to.equal(LAN_PEER_IP6);
        expect(await opens(lan, HOST_LAN_IP, 8090), 'no IPv4 port').to.equal(false);
        expect(await env.ok('port', 'v6only')).to.equal('80/tcp -> [::]:8090');
      });

      it('connects a running container to an IPv6 network at its connect --ip6 address', async () => {
        await env.ok('network', 'connect', '--ip6', 'fd00:e2e:6::77', 'only6', 'peer');
        expect(await env.ok('exec', 'peer', '--', 'ip', '-o', '-6', 'addr', 'show', 'dev', 'eth1', 'scope', 'global')).to.contain('fd00:e2e:6::77/64');
        expect(await seen(c.v6only!.netns, 'fd00:e2e:6::77', 80)).to.equal('fd00:e2e:6::66');
        await env.ok('network', 'disconnect', 'only6', 'peer');
      });

      it('gateway mode routed: the published container port is reached by routing, without NAT; no host port', async () => {
        const routed = c.routed!;
        expect(await seen(lan, routed.GlobalIPv6Address, 80), 'routed straight to the container').to.equal(LAN_PEER_IP6);
        expect(await seen(routed.netns, LAN_PEER_IP6, LAN_ECHO_PORT), 'egress keeps the container address').to.equal(routed.GlobalIPv6Address);
        expect((await inspect(env, 'routed')).NetworkSettings.Ports['80/tcp']).to.deep.include({ HostIp: '::', HostPort: '' });
        expect(await env.ok('port', 'routed')).to.contain(`80/tcp -> [${routed.GlobalIPv6Address}]:80 (routed)`);
      });

      it('gateway mode isolated: no IPv6 address on the bridge; containers reach each other and nothing else', async () => {
        const [iso] = JSON.parse(await env.ok('network', 'inspect', 'iso6')) as { Id: string }[];
        const bridge = `ctr-${iso!.Id.slice(0, 11)}`;
        expect((await execIn(env.host, ['ip', '-o', '-6', 'addr', 'show', 'dev', bridge, 'scope', 'global'])).stdout, `IPv6 addresses of ${bridge}`).to.equal('');
        expect(await seen(c.iso1!.netns, c.iso2!.GlobalIPv6Address, 80)).to.equal(c.iso1!.GlobalIPv6Address);
        expect(await env.ok('exec', 'iso1', '--', 'ip', '-6', 'route', 'show', 'default')).to.equal('');
        expect(await opens(c.iso1!.netns, LAN_PEER_IP6, LAN_ECHO_PORT), 'to the LAN').to.equal(false);
      });

      it('system reload restores IPv6 publishing and masquerade after the firewall was flushed', async () => {
        await execIn(env.host, backend === 'nftables' ? ['nft', 'flush', 'ruleset'] : ['ip6tables', '-t', 'nat', '-F']);
        // A daemon heals the firewall by itself; only in-process is the flush visible.
        if (!env.daemon) expect(await opens(lan, HOST_LAN_IP6, 8080), 'published over IPv6 after the flush').to.equal(false);
        expect(await env.ok('system', 'reload')).to.contain(backend);
        expect(await seen(lan, HOST_LAN_IP6, 8080), 'after reload').to.equal(LAN_PEER_IP6);
        expect(await seen(c.peer!.netns, LAN_PEER_IP6, LAN_ECHO_PORT), 'egress after reload').to.equal(HOST_LAN_IP6);
        expect(await opens(lan, c.pub!.GlobalIPv6Address, 80), 'direct routing after reload').to.equal(false);
      });

      it('system gc restarts a loopback proxy that died, and [::1] answers again', async () => {
        const [pub] = (JSON.parse(await env.ok('ps', '--format', 'json')) as { Id: string; Name: string }[]).filter((x) => x.Name === 'pub');
        const pid = Number(readFileSync(join(env.stateDir, 'containers', pub!.Id, 'loopback-proxy.pid'), 'utf8').split(' ')[0]);
        process.kill(pid, 'SIGKILL');
        // Its listening socket goes with the process; give the signal a moment to land.
        let open = true;
        for (let i = 0; i < 20 && open; i++) open = await opens(env.host, '::1', 8080);
        expect(open, '[::1] with the proxy gone').to.equal(false);
        expect(await env.ok('system', 'gc')).to.contain('restarted the IPv6 loopback proxy of container pub');
        expect(await seen(env.host, '::1', 8080)).to.equal('fd00:e2e:1::1');
      });

      it('leaves no IPv6 rule, map element or proxy once every container and network is gone', async () => {
        expect(proxies(env.host), 'loopback proxies while running').to.be.at.least(1);
        for (const name of Object.keys(c)) await env.ok('rm', '-f', name);
        for (const net of ['dual', 'auto6', 'quiet6', 'sealed6', 'only6', 'routed6', 'iso6']) await env.ok('network', 'rm', net);
        const v6 = backend === 'iptables' ? await iptablesRules(env.host, 6) : await nftRuleset(env.host);
        for (const trace of ['fd00:e2e', 'ctr-', 'CTRNET-N-', 'CTRNET-C-', 'CTRNET-L-', 'CTRNET-M-', 'CTRNET-R-']) expect(v6, trace).to.not.contain(trace);
        // The default network stays (it cannot be removed): only its IPv4 set elements may be left, no map element (a ':') and no IPv6 one.
        if (backend === 'nftables') expect((v6.match(/elements = \{[^}]*\}/g) ?? []).filter((e) => e.includes(':')), 'map or IPv6 elements left').to.deep.equal([]);
        expect(proxies(env.host), 'loopback proxies after rm').to.equal(0);
        await env.ok('system', 'reset');
        expect(await iptablesRules(env.host, 6), 'ip6tables after reset').to.not.contain('CTRNET');
      });
    });
  }

  describe('the default bridge with IPv6 by config', () => {
    const tn = useTestNamespaces();

    it('gives the default network a /64 of the installation ULA /48, the same again after a reset', async () => {
      const env = await createCtrnetEnv(tn, { config: { defaultNetwork: { ipv6: true } } });
      const first = await echo(env, 'a');
      expect(first.IPAddress).to.equal('172.17.0.2');
      expect(first.GlobalIPv6Address).to.match(/^fd[0-9a-f:]+::2$/);
      const [bridge] = JSON.parse(await env.ok('network', 'inspect', 'bridge')) as { EnableIPv6: boolean; IPAM: { Config: { Subnet: string }[] } }[];
      expect(bridge!.EnableIPv6).to.equal(true);
      const subnet = bridge!.IPAM.Config[1]!.Subnet;
      await env.ok('system', 'reset');
      await echo(env, 'b');
      const [again] = JSON.parse(await env.ok('network', 'inspect', 'bridge')) as { IPAM: { Config: { Subnet: string }[] } }[];
      expect(again!.IPAM.Config[1]!.Subnet, 'the ULA prefix is stable per state dir').to.equal(subnet);
    });
  });
});
