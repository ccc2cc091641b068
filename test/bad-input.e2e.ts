/**
 * End to end: every kind of invalid input the CLI can be given. Each case
 * must exit 2 with exactly one stderr line `ctrnet: error: ...` naming the bad
 * value and no stack trace, and must change nothing: the host namespace's
 * links, nftables and iptables rules, the container namespaces and the
 * store's listings are compared before and after each group of cases.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TestNamespaces, createCtrnetEnv, ctrnetCli, startHttpServer, type CtrnetEnv, type CtrnetRunner } from '@ctrnet/testkit';
import { snapshot, snapshotDiff, type Snapshot } from './helpers/state.js';

/** One invalid invocation and the text its error must contain. */
interface Case {
  args: string[];
  names: string;
  /** A runner with a different environment; default: the suite's. */
  cli?: CtrnetRunner;
}

/** How many CLI processes run at once (2 cores; most cases fail during start-up). */
const PARALLEL = 8;

/** `run [opts] -- true`: the command never starts, so it does not matter. */
const run = (...opts: string[]): string[] => ['run', ...opts, '--', 'true'];
const create = (...opts: string[]): string[] => ['network', 'create', ...opts];
const c = (args: string[], names: string, cli?: CtrnetRunner): Case => ({ args, names, cli });

/** Names a shell (or a careless script) would misread, and names the rules refuse. */
const BAD_NAMES = ['a;rm -rf /', '$(id)', '`id`', 'a|b', 'a&b', 'a>b', 'a b', 'a\nb', "a'b", 'a"b', 'a*', '~a', 'a/b', '_x', '.x', 'ñame', 'a'.repeat(64)];

describe('bad input (e2e)', function () {
  this.timeout(120_000);
  // Not useTestNamespaces(): that cleans after every test, and these tests share one setup.
  const tn = new TestNamespaces();
  let env: CtrnetEnv;
  let files: string;
  let setupSnapshot: Snapshot;

  /** Write a config file (raw text or JSON) and return `--config PATH` global options. */
  const config = (name: string, content: unknown): string[] => {
    const path = join(files, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return ['--config', path];
  };

  // One installation for the whole file: the cases only read it, and the snapshots prove it.
  before(async function () {
    this.timeout(60_000);
    files = mkdtempSync(join(tmpdir(), 'ctt-bad-input-'));
    env = await createCtrnetEnv(tn);
    await env.ok('network', 'create', '--subnet', '10.88.0.0/24', 'net1');
    await env.ok('network', 'create', '--ipv6', '--subnet', '10.89.0.0/24', '--subnet', 'fd00:88::/64', 'net6');
    await env.ok('network', 'create', '--ipv6', '--ipv4=false', '--subnet', 'fd00:89::/64', 'only6');
    // Resident containers keep the IPv6 bridges' ports (and so their state and MAC) steady while failing runs come and go.
    await env.ok('run', '-d', '--name', 'c6', '--net', 'net6', '--', 'sleep', '600');
    await env.ok('run', '-d', '--name', 'c7', '--net', 'only6', '--', 'sleep', '600');
    await env.ok('run', '-d', '--name', 'c1', '--net', 'net1', '-p', '18080:80', '--', 'sleep', '600');
    await env.ok('run', '-d', '--name', 'c2', '--', 'sleep', '600');
    await env.ok('run', '-d', '--name', 'ex1', '--', 'true');
    for (let i = 0; i < 100 && !(await env.ok('ps', '-a', '--format', 'json')).includes('"exited"'); i++) await new Promise((r) => setTimeout(r, 50));
    // A host process on a port, for "already in use by a process on the host".
    await startHttpServer(tn, env.host, { port: 18099 });
    setupSnapshot = await snapshot(env);
    last = setupSnapshot;
  });
  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
    rmSync(files, { recursive: true, force: true });
  });

  /** Run the cases in parallel batches; return one message per case that broke the contract. */
  async function check(cases: Case[]): Promise<string[]> {
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += PARALLEL) {
      const batch = cases.slice(i, i + PARALLEL);
      const results = await Promise.all(batch.map((k) => (k.cli ?? env.cli)(k.args)));
      results.forEach((r, j) => {
        const k = batch[j]!;
        const lines = r.stderr.replace(/\n$/, '').split('\n');
        const problems = [
          r.exitCode !== 2 && `exit ${r.exitCode}`,
          lines.length !== 1 && `${lines.length} stderr lines`,
          !lines[0]!.startsWith('ctrnet: error: ') && 'no "ctrnet: error: " prefix',
          !r.stderr.includes(k.names) && `does not name ${JSON.stringify(k.names)}`,
          /\n\s+at |this is a bug/.test(r.stderr) && 'stack trace or internal error',
        ].filter(Boolean);
        if (problems.length) failures.push(`ctrnet ${JSON.stringify(k.args)}: ${problems.join(', ')}\n    stderr: ${JSON.stringify(r.stderr)}`);
      });
    }
    return failures;
  }

  let total = 0;
  /**
   * One test per group: every case keeps the contract, and the group as a
   * whole changed nothing. A group's "after" is the next group's "before":
   * nothing runs in between, and it halves the snapshots taken.
   */
  let last: Snapshot | undefined;
  function group(title: string, cases: () => Case[]): void {
    it(title, async () => {
      const list = cases();
      total += list.length;
      const before = last ?? (await snapshot(env));
      const failures = await check(list);
      last = await snapshot(env);
      expect([...failures, ...snapshotDiff(before, last)], `${list.length} cases`).to.deep.equal([]);
    });
  }

  group('unknown commands, unknown options and missing arguments', () => [
    c(['frobnicate'], "'frobnicate'"),
    c(['network', 'frob'], "'frob'"),
    c(['system', 'frob'], "'frob'"),
    c(['--frob', 'ps'], "'--frob'"),
    c(['run', '--frob', '--', 'true'], "'--frob'"),
    c(['ps', '--forc'], "'--forc'"),
    c(['rm', '--forc', 'c1'], "'--forc'"),
    c(['network', 'ls', '--frob'], "'--frob'"),
    c(['network', 'create', '--frob', 'n'], "'--frob'"),
    c(['system', 'gc', '--frob'], "'--frob'"),
    c(['events', '--format', 'yaml'], "'yaml'"),
    c(['network', 'create'], "'name'"),
    c(['rm'], "'name'"),
    c(['inspect'], "'name'"),
    c(['logs'], "'name'"),
    c(['stop'], "'name'"),
    c(['run'], "'command'"),
    c(['run', '-d'], "'command'"),
    c(['exec', 'c1'], "'command'"),
    c(['run', '-p'], "'-p, --publish <spec>'"),
    c(['run', '--net'], "'--net <mode>'"),
    c(['--state-dir'], "'--state-dir <dir>'"),
    c(['--config'], "'--config <file>'"),
    c(['ps', 'extra'], "'ps'"),
    c(['network', 'ls', 'extra'], "'ls'"),
    c(['system', 'gc', 'extra'], "'gc'"),
    c(['network', 'connect', 'net1'], "'container'"),
    c(['system', 'reap', 'x', 'y', 'z'], 'system reap ID RUN STATUS'),
  ]);

  group('run: container names and network modes', () => [
    ...BAD_NAMES.map((name) => c(run(`--name=${name}`), JSON.stringify(name))),
    c(run('--name', 'c1'), '"c1"'),
    c(run('--net', 'nosuchnet'), '"nosuchnet"'),
    c(run('--network', 'nosuchnet'), '"nosuchnet"'),
    c(run('--net', 'bridge;id'), '"bridge;id"'),
    c(run('--net', 'container:nosuch'), '"nosuch"'),
    c(run('--net', 'container:'), 'container:'),
    c(run('--net', 'container:ex1'), 'ex1'),
  ]);

  group('run: publish and expose specs', () => [
    ...['abc', '0', '65536', '80-', '-80', '80-70', 'a:b:c', '1.2.3.4:80', '80/xyz', '8000-8010:80-82', '[::1', '[]:80:80', '999.1.1.1:80:80', '8080:0', '80:80:80:80:x', '1-2-3', '80/tcp/udp', ' 80', '0x50', '+80'].map((spec) =>
      c(run(`--publish=${spec}`), JSON.stringify(spec)),
    ),
    c(run('-p', '18080:80'), '18080'),
    c(run('-p', '18099:80'), '18099'),
    c(run('-p', '[::1]:8080:80'), '::1'),
    c(run('-p', '1.2.3.4:8080:80'), '1.2.3.4'),
    c(run('-p', '1.2.3.4::80'), '1.2.3.4'),
    ...['published=8080', 'target=80,mode=host', 'target=80,target=81', 'published=1500,target:444', 'target=abc', 'target=80,protocol=icmp', 'target=80,published=99999', 'target=0'].map((spec) =>
      c(run('-p', spec), JSON.stringify(spec)),
    ),
    c(run('-p', 'target=80,published=18080'), '18080'),
    ...['abc', '80:80', '0', '70000', '80/foo', '90-80'].map((spec) => c(run(`--expose=${spec}`), JSON.stringify(spec))),
  ]);

  group('run: dns, hostname, hosts, links, env and MAC', () => [
    ...['abc', '1.2.3', '300.1.1.1', '1.1.1.1;id', 'fe80::1%', 'dead'].map((v) => c(run('--dns', v), JSON.stringify(v))),
    ...['bad_host', '-x', 'a'.repeat(254), 'a..b', 'host name', 'a;b', 'x.'.repeat(2) + '-'].map((v) => c(run(`--hostname=${v}`), JSON.stringify(v))),
    ...['nocolon', ':1.2.3.4', 'h:notip', 'h_x:1.2.3.4', 'h:1.2.3.4.5', 'h:abc', 'h;id:1.2.3.4', '=1.2.3.4', 'h=notip', 'a:b=1.2.3.4', 'h=host-gatewayx', 'h=[]'].map((v) =>
      c(run('--add-host', v), JSON.stringify(v)),
    ),
    c(run('-e='), '""'),
    c(run('-e=1BAD=x'), '"1BAD=x"'),
    c(run('-p='), '""'),
    c(run('-p=abc'), '"abc"'),
    c(run('--link', 'a:b:c'), '"a:b:c"'),
    c(run('--link', 'bad name'), '"bad name"'),
    c(run('--link', '$(id)'), '"$(id)"'),
    c(run('--link', 'c1:bad alias'), '"bad alias"'),
    c(run('--link', 'nosuch'), '"nosuch"'),
    c(run('--link', 'ex1'), 'ex1'),
    ...['1BAD=x', '=x', 'A-B=x', 'a b=c', '$(id)=1'].map((v) => c(run('-e', v), JSON.stringify(v))),
    ...['zz:zz:zz:zz:zz:zz', '01:00:5e:00:00:01', '02:42:ac:11:00', '02-42-ac-11-00-02', '02:42:ac:11:00:02:03', '0242ac110002', 'ff:ff:ff:ff:ff:ff'].map((v) =>
      c(run('--mac-address', v), JSON.stringify(v)),
    ),
    c(run('--mac-address', '00:00:00:00:00:00'), '00:00:00:00:00:00'),
  ]);

  group('run: addresses inside and outside the subnet, conflicting options', () => [
    ...['abc', '10.99.0.5', '999.1.1.1', '10.88.0.2/24'].map((v) => c(run('--net', 'net1', '--ip', v), v)),
    ...['10.88.0.0', '10.88.0.255', '10.88.0.1', '10.88.0.2'].map((v) => c(run('--net', 'net1', '--ip', v), v)),
    c(run('--ip', '10.88.0.7'), 'user specified IP address is supported on user defined networks only'),
    ...['abc', '10.99.0.1', '172.17.0.1'].map((v) => c(run('--net', 'net1', '--default-gateway', v), v)),
    c(run('--net', 'net1', '--ip', '10.88.0.50', '--default-gateway', '10.88.0.50'), '10.88.0.50'),
    c(run('--net', 'host', '--ip', '1.2.3.4'), '--ip'),
    c(run('--net', 'none', '--ip', '1.2.3.4'), '--ip'),
    c(run('--net', 'host', '--mac-address', '02:00:00:00:00:01'), '--mac-address'),
    c(run('--net', 'none', '--mac-address', '02:00:00:00:00:01'), '--mac-address'),
    c(run('--net', 'host', '--link', 'c1'), '--link'),
    c(run('--net', 'none', '--default-gateway', '10.0.0.1'), '--default-gateway'),
    ...[
      ['-p', '80'],
      ['-P'],
      ['--expose', '80'],
      ['--hostname', 'x'],
      ['--dns', '1.1.1.1'],
      ['--dns-search', 'example.test'],
      ['--dns-option', 'ndots:2'],
      ['--add-host', 'h:1.2.3.4'],
      ['--link', 'c2'],
      ['--mac-address', '02:00:00:00:00:01'],
      ['--ip', '10.88.0.9'],
      ['--default-gateway', '10.88.0.1'],
    ].map((opts) => c(run('--net', 'container:c1', ...opts), 'container:c1')),
  ]);

  group('container commands on missing, running and stopped containers', () => [
    ...[['start'], ['stop'], ['rm'], ['rm', '-f'], ['inspect'], ['logs'], ['port'], ['exec', 'nosuch', '--', 'true']].map((cmd) =>
      c(cmd[0] === 'exec' ? cmd : [...cmd, 'nosuch'], '"nosuch"'),
    ),
    c(['exec', 'ex1', '--', 'true'], 'ex1'),
    c(['rm', 'c1'], 'c1'),
    c(['port', 'c1', '81'], '81'),
    c(['port', 'c1', '99999'], '99999'),
    c(['port', 'c1', '80/xyz'], '80/xyz'),
    c(['port', 'c1', 'abc'], 'abc'),
    c(['stop', '-t', 'abc', 'c1'], '"abc"'),
    c(['stop', '-t', '-5', 'c1'], '"-5"'),
    c(['stop', '-t', '1.5', 'c1'], '"1.5"'),
    c(['stop', '--time=', 'c1'], '""'),
    c(['stop', '--time=+1', 'c1'], '"+1"'),
    c(['stop', '--time=1e1', 'c1'], '"1e1"'),
    c(['rm', '___'], '"___"'),
    c(['inspect', '%'], '"%"'),
  ]);

  group('listings: filters, formats, counts; inspect, logs, completion', () => [
    ...['nokey', 'foo=bar', '=x', 'status=bogus', 'status=', 'exited=x', 'exited=-1', 'network='].map((f) => c(['ps', '--filter', f], JSON.stringify(f))),
    ...['abc', '-1', '1.5'].map((n) => c(['ps', '-n', n], JSON.stringify(n))),
    ...['nokey', 'label=x', 'type=other', 'dangling=maybe'].map((f) => c(['network', 'ls', '-f', f], JSON.stringify(f))),
    c(['ps', '--format', '{{.Names'], '{{.Names'),
    c(['ps', '-a', '--format', '{{.Names.Foo}}'], 'can\'t evaluate field Foo'),
    c(['ps', '--format', '{{nosuchfunc .Names}}'], 'function "nosuchfunc" not defined'),
    c(['network', 'ls', '--format', '{{if}}'], 'missing value for if'),
    c(['network', 'ls', '--format', 'table {{.Name}'], 'table {{.Name}'),
    c(['system', 'info', '--format', '{{end}}'], 'unexpected {{end}}'),
    c(['inspect', '-f', '{{.Name', 'c1'], ':1:'),
    c(['inspect', '-f', '{{.Name.Foo}}', 'c1'], 'can\'t evaluate field Foo'),
    c(['inspect', '-f', '{{.Name', 'nosuch'], ':1:'),
    c(['inspect', '--type', 'volume', 'c1'], '"volume"'),
    c(['network', 'inspect', '-f', '{{.Bad', 'net1'], ':1:'),
    ...['abc', '-1', '1.5'].map((v) => c(['logs', '--tail', v, 'c1'], JSON.stringify(v))),
    ...['abc', '10x', '5 m', '2024-13-45T99:00:00Z'].map((v) => c(['logs', '--since', v, 'c1'], JSON.stringify(v))),
    c(['logs', '--until', 'yesterday', 'c1'], '"yesterday"'),
    c(['completion', 'fish'], '"fish"'),
    c(['completion'], "'shell'"),
  ]);

  group('network create: subnets, gateways, ranges, drivers', () => [
    ...['abc', '10.0.0.0/33', '300.0.0.0/8', '10.0.0.0', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.1/24', '::/64'].map((v) => c(create('--subnet', v, 'nn'), v)),
    ...['10.88.0.0/24', '10.88.0.128/25', '10.0.0.0/8', '172.17.5.0/24', '0.0.0.0/0'].map((v) => c(create('--subnet', v, 'nn'), v)),
    ...['10.99.0.1', 'abc', '10.98.0.0', '10.98.0.255', '10.98.0.1/24'].map((v) => c(create('--subnet', '10.98.0.0/24', '--gateway', v, 'nn'), v)),
    ...['10.97.0.0/24', 'abc', '10.98.0.0/16', '10.98.0.1/28'].map((v) => c(create('--subnet', '10.98.0.0/24', '--ip-range', v, 'nn'), v)),
    c(create('--gateway', '1.2.3.4', 'nn'), '--gateway'),
    c(create('--ip-range', '1.2.3.0/24', 'nn'), '--ip-range'),
    ...['nosuch', 'host', 'none', 'container', 'bridge;id'].map((d) => c(create('-d', d, 'nn'), `"${d}"`)),
  ]);

  group('IPv6: subnets, gateways, families, pools and --ip6', () => [
    ...['fd00::/129', 'fd00::1::/64', 'fd00::5/64', 'fd00::/127', 'fe80::1%eth0/64', 'fd00::/-1', 'zz::/64'].map((v) => c(create('--ipv6', '--subnet', v, 'nn'), v)),
    c(create('--subnet', 'fd00:5::/64', 'nn'), 'fd00:5::/64'),
    c(create('--ipv6', '--subnet', 'fd00:88::/80', 'nn'), 'fd00:88::/80'),
    c(create('--ipv6', '--subnet', 'fd00:1::/64', '--subnet', 'fd00:2::/64', 'nn'), 'fd00:2::/64'),
    ...['fd00:8::1', 'fd00:9::', 'zz::1', '10.9.9.9'].map((v) => c(create('--ipv6', '--subnet', 'fd00:9::/64', '--gateway', v, 'nn'), v)),
    c(create('--ipv6', '--gateway', 'fd00:9::1', 'nn'), 'fd00:9::1'),
    c(create('--ipv6', '--subnet', 'fd00:9::/64', '--ip-range', 'fd00:7::/80', 'nn'), 'fd00:7::/80'),
    c(create('--ipv4=false', 'nn'), '--ipv4=false'),
    c(create('--ipv4=false', '--ipv6', '--subnet', '10.9.0.0/24', 'nn'), '--ipv4=false'),
    c(create('--ipv4=maybe', '--ipv6', 'nn'), '"maybe"'),
    c(create('--ipv6', '-o', 'gateway_mode_ipv6=bogus', 'nn'), '"bogus"'),
    c(create('--ipv6', '-o', 'com.docker.network.bridge.gateway_mode_ipv6=isolated', 'nn'), 'isolated'),
    c(create('-o', 'gateway_mode_ipv6=nat', 'nn'), 'gateway_mode_ipv6'),
    c(create('--ipv6', '-o', 'mtu=1200', 'nn'), '"1200"'),
    c(run('--net', 'net1', '--ip6', 'fd00:88::5'), '--ip6'),
    c(run('--ip6', 'fd00:88::5'), '--ip6'),
    ...['abc', 'fd00:99::5', 'fd00:88::', 'fd00:88::1', '10.89.0.5'].map((v) => c(run('--net', 'net6', '--ip6', v), v)),
    c(run('--net', 'only6', '--ip', '10.89.0.5'), '--ip'),
    c(run('--net', 'only6', '-p', '0.0.0.0:8080:80'), '0.0.0.0'),
    c(run('--net', 'net6', '-p', '[::1]:8080:80/sctp'), 'sctp'),
    c(run('--net', 'host', '--ip6', 'fd00::5'), '--ip6'),
    c(['network', 'connect', '--ip6', 'fd00:88::9', 'net1', 'c2'], '--ip6'),
    c(['network', 'connect', '--ip6', 'fd00:77::9', 'net6', 'c2'], 'fd00:77::9'),
  ]);

  group('network create: names and bridge -o options', () => [
    ...BAD_NAMES.map((name) => c(create('--', name), JSON.stringify(name))),
    ...['net1', 'bridge', 'host', 'none'].map((name) => c(create(name), `"${name}"`)),
    ...[
      ['novalue', 'novalue'],
      ['=x', '=x'],
      ['unknownkey=1', 'unknownkey'],
      ['mtu=abc', '"abc"'],
      ['mtu=67', '"67"'],
      ['mtu=65536', '"65536"'],
      ['mtu=', '""'],
      ['icc=maybe', '"maybe"'],
      ['masquerade=2', '"2"'],
      ['bridge_name=has space', '"has space"'],
      ['bridge_name=toolongbridgename16', 'toolongbridgename16'],
      ['bridge_name=a/b', '"a/b"'],
      ['bridge_name=lo', 'interface lo'],
      ['bridge_name=ctrnet0', 'ctrnet0'],
      ['host_binding_ipv4=abc', '"abc"'],
      ['host_binding_ipv4=1.2.3.4.5', '1.2.3.4.5'],
      ['host_binding_ipv4=::1', '::1'],
      ['com.docker.network.bridge.name=bad name', '"bad name"'],
      ['com.docker.network.driver.mtu=x', '"x"'],
      ['com.docker.network.bridge.enable_icc=x', '"x"'],
      ['com.docker.network.bridge.enable_ip_masquerade=yes', '"yes"'],
    ].map(([opt, names]) => c(create(`--opt=${opt}`, 'nn'), names!)),
    c(create('-o', 'mtu=1500', '-o', 'com.docker.network.driver.mtu=1400', 'nn'), 'mtu'),
    c(['network', 'create', 'n1', 'n2'], "'create'"),
  ]);

  group('network commands on missing, built-in and busy networks', () => [
    c(['network', 'inspect', 'nosuch'], '"nosuch"'),
    c(['network', 'rm', 'nosuch'], '"nosuch"'),
    c(['network', 'rm', 'bridge'], 'bridge'),
    c(['network', 'rm', 'host'], 'host'),
    c(['network', 'rm', 'net1'], 'net1'),
    c(['network', 'connect', 'nosuch', 'c1'], '"nosuch"'),
    c(['network', 'connect', 'net1', 'nosuch'], '"nosuch"'),
    c(['network', 'connect', 'net1', 'c1'], 'net1'),
    c(['network', 'connect', 'host', 'c1'], 'host'),
    c(['network', 'connect', 'none', 'c1'], 'none'),
    c(['network', 'disconnect', 'net1', 'c2'], 'net1'),
    c(['network', 'disconnect', 'net1', 'c1'], 'net1'),
  ]);

  group('events: --since and --filter', () => [
    ...['abc', '10x', '-5m', '5 m', '2024-13-45T99:00:00Z'].map((v) => c(['events', '--no-follow', '--since', v], JSON.stringify(v))),
    ...[
      ['nokey', '"nokey"'],
      ['foo=bar', '"foo"'],
      ['event=nosuch', '"nosuch"'],
      ['type=bogus', '"bogus"'],
      ['=x', '""'],
      ['type=', '"type="'],
      ['container=', '"container="'],
    ].map(([f, names]) => c(['events', '--no-follow', '--filter', f!], names!)),
  ]);

  group('config file: unknown keys, wrong types, bad values', () => {
    const cfg = (content: unknown, names: string, command = ['ps']): Case => c([...config(`cfg-${Math.random().toString(16).slice(2)}.json`, content), ...command], names);
    return [
      cfg({ bogus: 1 }, '"bogus"'),
      cfg({ defaultNetwork: { bogus: 1 } }, '"defaultNetwork.bogus"'),
      cfg({ defaultAddressPools: [{ base: '10.0.0.0/8', size: 16, extra: true }] }, 'defaultAddressPools.0.extra'),
      cfg({ stateDir: 5 }, '"stateDir"'),
      cfg({ stateDir: '' }, '"stateDir"'),
      cfg({ plugins: 'x' }, '"plugins"'),
      cfg({ plugins: [5] }, '"plugins.0"'),
      cfg({ plugins: [''] }, '"plugins.0"'),
      cfg({ portBackend: 5 }, '"portBackend"'),
      cfg({ portBackend: 'pf' }, '"pf"'),
      cfg({ portBackend: 'pf' }, '"pf"', ['network', 'create', 'pfnet']),
      cfg({ defaultNetwork: 'x' }, '"defaultNetwork"'),
      cfg({ defaultNetwork: { subnet: 'abc' } }, '"defaultNetwork.subnet"'),
      cfg({ defaultNetwork: { subnet: '10.0.0.0/33' } }, '"defaultNetwork.subnet"'),
      cfg({ defaultNetwork: { gateway: 5 } }, '"defaultNetwork.gateway"'),
      cfg({ defaultNetwork: { gateway: 'abc' } }, '"defaultNetwork.gateway"'),
      cfg({ defaultNetwork: { gateway: '10.0.0.1' } }, '"defaultNetwork.gateway"'),
      cfg({ defaultNetwork: { options: { mtu: 5 } } }, '"defaultNetwork.options.mtu"'),
      cfg({ defaultNetwork: { options: { mtu: 'abc' } } }, '"abc"'),
      cfg({ defaultNetwork: { options: { nosuch: '1' } } }, '"nosuch"'),
      cfg({ defaultNetwork: { options: 'x' } }, '"defaultNetwork.options"'),
      cfg({ defaultAddressPools: [] }, '"defaultAddressPools"'),
      cfg({ defaultAddressPools: {} }, '"defaultAddressPools"'),
      cfg({ defaultAddressPools: [{ base: 'abc', size: 16 }] }, '"defaultAddressPools.0.base"'),
      cfg({ defaultAddressPools: [{ base: '10.0.0.0/8', size: 7 }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: '10.0.0.0/8', size: 31 }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: '10.0.0.0/8', size: '16' }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: '10.0.0.0/8' }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: '10.0.0.0/16', size: 8 }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: 'fd00::/32', size: 64 }] }, '"defaultAddressPools.0.base"'),
      cfg({ defaultAddressPools: [{ base: 'fd00::/47', size: 64 }] }, '"defaultAddressPools.0.base"'),
      cfg({ defaultAddressPools: [{ base: 'fd00::/48', size: 121 }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: 'fd00::/48', size: 47 }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultAddressPools: [{ base: 'fd00::/64', size: 56 }] }, '"defaultAddressPools.0.size"'),
      cfg({ defaultNetwork: { ipv6: true, subnet6: 'fd00::/129' } }, '"defaultNetwork.subnet6"'),
      cfg({ defaultNetwork: { subnet6: 'fd00::/64' } }, '"defaultNetwork.ipv6"'),
      cfg({ defaultNetwork: { ipv6: true, subnet6: 'fd00::/64', gateway6: 'fd01::1' } }, '"defaultNetwork.gateway6"'),
      cfg({ defaultNetwork: { ipv6: 'yes' } }, '"defaultNetwork.ipv6"'),
      cfg({ ephemeralPortRange: [1] }, '"ephemeralPortRange"'),
      cfg({ ephemeralPortRange: [2, 1] }, '"ephemeralPortRange"'),
      cfg({ ephemeralPortRange: [0, 5] }, '"ephemeralPortRange.0"'),
      cfg({ ephemeralPortRange: [1, 70000] }, '"ephemeralPortRange.1"'),
      cfg({ ephemeralPortRange: [1.5, 2] }, '"ephemeralPortRange.0"'),
      cfg({ ephemeralPortRange: 'x' }, '"ephemeralPortRange"'),
      cfg('{', 'cfg-'),
      cfg('', 'cfg-'),
      cfg([], '(top level)'),
      cfg(null, '(top level)'),
      cfg('"str"', '(top level)'),
      c(['--config', join(files, 'nosuch.json'), 'ps'], 'nosuch.json'),
      c(['--config', files, 'ps'], files),
      c(['--state-dir', files, 'ps'], files),
      c(['--state-dir', config('a-file.json', {})[1]!, 'ps'], 'a-file.json'),
    ];
  });

  group('plugins: missing, broken, incompatible, clashing; bad port backend from the environment', () => {
    const plugin = (file: string, source: string): Case => {
      writeFileSync(join(files, file), source);
      return c(config(`${file}.json`, { plugins: ['@ctrnet/ipam-default', '@ctrnet/driver-bridge', `./${file}`] }).concat('ps'), file.replace(/\.m?js$/, ''));
    };
    return [
      c([...config('missing-pkg.json', { plugins: ['@ctrnet/nosuch'] }), 'ps'], '@ctrnet/nosuch'),
      c([...config('missing-path.json', { plugins: ['./nosuch.js'] }), 'ps'], 'nosuch.js'),
      c([...config('twice.json', { plugins: ['@ctrnet/driver-none', '@ctrnet/driver-none'] }), 'ps'], '@ctrnet/driver-none'),
      c(['ps'], '"bogus"', ctrnetCli(env.host, env.stateDir, { env: { CTRNET_PORT_BACKEND: 'bogus' } })),
      c(['network', 'create', 'viaenv'], '"nft"', ctrnetCli(env.host, env.stateDir, { env: { CTRNET_PORT_BACKEND: 'nft' } })),
      // A bad value in the file is an error even while the environment overrides it.
      c([...config('ebpf.json', { portBackend: 'ebpf' }), 'ps'], '"ebpf"', ctrnetCli(env.host, env.stateDir, { env: { CTRNET_PORT_BACKEND: 'nftables' } })),
      plugin('not-a-plugin.js', 'export default 42;\n'),
      plugin('no-default.js', 'export const name = "x";\n'),
      plugin('throws-on-import.js', 'throw new Error("boom");\n'),
      plugin('syntax-error.js', 'export default {{;\n'),
      plugin('no-register.js', 'export default { name: "no-register", coreVersion: "^0.2.0" };\n'),
      plugin('bad-core.js', 'export default { name: "bad-core", coreVersion: "^9.0.0", register() {} };\n'),
      plugin('register-throws.js', 'export default { name: "register-throws", coreVersion: "^0.2.0", register() { throw new Error("nope"); } };\n'),
      plugin(
        'clash.js',
        'export default { name: "clash", coreVersion: "^0.2.0", register(api) { api.registerNetworkDriver({ name: "bridge" }); } };\n',
      ),
    ];
  });

  it('leaves the setup exactly as it was, after at least 150 cases', async () => {
    expect(snapshotDiff(setupSnapshot, await snapshot(env))).to.deep.equal([]);
    expect(total).to.be.at.least(150);
  });
});
