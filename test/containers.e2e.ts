/**
 * End to end: the ctrnet CLI in a throwaway host namespace, real containers,
 * real packets. Covers the network modes and the container lifecycle.
 */
import { expect } from 'chai';
import { canConnect, createCtrnetEnv, execIn, httpGet, throughDaemon, useTestNamespaces, type CtrnetEnv } from '@ctrnet/testkit';

const SERVER = "require('http').createServer((q,s)=>s.end(require('os').hostname())).listen(Number(process.argv[1]||80))";

interface Inspect {
  Id: string;
  State: { Status: string; Pid: number };
  Config: { Hostname: string; Env: string[] };
  NetworkSettings: { SandboxKey: string; Networks: Record<string, { IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string }> };
}

async function inspect(env: CtrnetEnv, name: string): Promise<Inspect> {
  return (JSON.parse(await env.ok('inspect', name)) as Inspect[])[0]!;
}

async function inContainer(env: CtrnetEnv, name: string, ...argv: string[]): Promise<string> {
  return env.ok('exec', name, '--', ...argv);
}

/** Start a detached web server container and wait until it answers on its address. */
async function web(env: CtrnetEnv, name: string, ...opts: string[]): Promise<string> {
  await env.ok('run', '-d', '--name', name, ...opts, '--', process.execPath, '-e', SERVER);
  const ip = Object.values((await inspect(env, name)).NetworkSettings.Networks)[0]?.IPAddress ?? '';
  for (let i = 0; i < 50 && ip && !(await canConnect(env.host, ip, 80, { timeoutMs: 200 })); i++) await new Promise((r) => setTimeout(r, 100));
  return ip;
}

describe('containers (e2e)', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();
  let env: CtrnetEnv;
  beforeEach(async () => {
    env = await createCtrnetEnv(tn);
  });

  it('gives two bridge containers addresses, MACs and routes, and lets them reach each other and the gateway', async () => {
    const ipA = await web(env, 'a');
    const ipB = await web(env, 'b');
    const a = await inspect(env, 'a');
    const net = a.NetworkSettings.Networks.bridge!;
    expect(net.IPAddress).to.equal('172.17.0.2');
    expect(net.IPPrefixLen).to.equal(16);
    expect(net.Gateway).to.equal('172.17.0.1');
    expect(net.MacAddress).to.equal('02:42:ac:11:00:02');
    expect(ipB).to.equal('172.17.0.3');
    const addr = await inContainer(env, 'a', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0');
    expect(addr).to.contain('172.17.0.2/16');
    expect(await inContainer(env, 'a', 'cat', '/sys/class/net/eth0/address')).to.contain('02:42:ac:11:00:02');
    expect(await inContainer(env, 'a', 'ip', 'route', 'show', 'default')).to.contain('default via 172.17.0.1 dev eth0');
    const netnsA = a.NetworkSettings.SandboxKey;
    expect((await httpGet(netnsA, `http://${ipB}:80/`)).body).to.equal((await inspect(env, 'b')).Config.Hostname);
    expect(await canConnect(netnsA, '172.17.0.1', 9, { timeoutMs: 500 })).to.equal(false);
    await execIn(env.host, ['ip', 'link', 'show', 'ctrnet0']);
    expect((await httpGet(env.host, `http://${ipA}:80/`)).status).to.equal(200);
  });

  it('none has only lo; host sees the host namespace; container:NAME shares the namespace', async () => {
    const links = await env.ok('run', '--net', 'none', '--', 'ip', '-o', 'link');
    expect(links.trim().split('\n')).to.have.length(1);
    expect(links).to.match(/lo:.*UP/);
    await execIn(env.host, ['ip', 'link', 'add', 'hostmark0', 'type', 'veth', 'peer', 'name', 'hostmark1']);
    expect(await env.ok('run', '--net', 'host', '--', 'ip', '-o', 'link')).to.contain('hostmark0');
    const ip = await web(env, 'web');
    const shared = await env.ok('run', '--net', 'container:web', '--', 'ip', '-o', '-4', 'addr');
    expect(shared).to.contain(ip);
    const viaLoopback = await env.ok('run', '--net', 'container:web', '--', process.execPath, '-e', "fetch('http://127.0.0.1:80/').then(r=>r.text()).then(t=>process.stdout.write(t))");
    expect(viaLoopback).to.equal((await inspect(env, 'web')).Config.Hostname);
    const refused = await env.cli(['run', '--net', 'container:web', '--hostname', 'x', '--', 'true']);
    expect(refused.exitCode).to.equal(2);
    expect(refused.stderr).to.match(/^ctrnet: error: conflicting options/);
  });

  it('applies --hostname, --dns*, --add-host, --ip, --mac-address and --link inside the container', async () => {
    // --ip needs a user-defined network (Docker's rule).
    await env.ok('network', 'create', '--subnet', '10.71.0.0/16', 'fixed');
    const dbIp = await web(env, 'db', '--net', 'fixed', '--expose', '5432');
    const out = await env.ok(
      'run', '--net', 'fixed', '--hostname', 'app1', '--dns', '10.9.9.9', '--dns-search', 'example.test', '--dns-option', 'ndots:2',
      '--add-host', 'cache:10.1.2.3', '--ip', '10.71.0.50', '--mac-address', '02:42:ac:11:00:99', '--link', 'db:database',
      '--', 'sh', '-c', 'hostname; cat /etc/resolv.conf /etc/hosts; ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; env',
    );
    expect(out).to.match(/^app1\n/);
    // Through ctrnetd the embedded resolver serves the network (Docker's 127.0.0.11) and forwards to --dns; without one, --dns is the nameserver.
    expect(out).to.contain(throughDaemon() ? 'nameserver 10.71.0.1' : 'nameserver 10.9.9.9').and.contain('search example.test').and.contain('options ndots:2');
    expect(out).to.contain('10.1.2.3\tcache');
    expect(out).to.contain(`${dbIp}\tdatabase db`);
    expect(out).to.contain('10.71.0.50\tapp1');
    expect(out).to.contain('10.71.0.50/16');
    expect(out).to.contain('02:42:ac:11:00:99');
    expect(out).to.contain(`DATABASE_PORT_5432_TCP=tcp://${dbIp}:5432`);
    expect(out).to.contain(`DATABASE_PORT_5432_TCP_ADDR=${dbIp}`);
  });

  it('routes via --default-gateway', async () => {
    const out = await env.ok('run', '--default-gateway', '172.17.0.254', '--', 'ip', 'route', 'show', 'default');
    expect(out).to.contain('default via 172.17.0.254 dev eth0');
  });

  it('isolates user networks from each other, blocks icc=false, and connect/disconnect add and remove eth1', async () => {
    await env.ok('network', 'create', '--subnet', '10.77.1.0/24', 'red');
    await env.ok('network', 'create', '--subnet', '10.77.2.0/24', 'blue');
    await env.ok('network', 'create', '--subnet', '10.77.3.0/24', '-o', 'icc=false', 'quiet');
    const red = await web(env, 'r1', '--net', 'red');
    const blue = await web(env, 'b1', '--net', 'blue');
    const q1 = await web(env, 'q1', '--net', 'quiet');
    await web(env, 'q2', '--net', 'quiet');
    const sandbox = async (n: string) => (await inspect(env, n)).NetworkSettings.SandboxKey;
    expect(await canConnect(await sandbox('r1'), blue, 80)).to.equal(false);
    expect(await canConnect(await sandbox('b1'), red, 80)).to.equal(false);
    expect(await canConnect(await sandbox('q2'), q1, 80)).to.equal(false);
    await env.ok('network', 'connect', 'blue', 'r1');
    expect(await inContainer(env, 'r1', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth1')).to.contain('10.77.2.');
    expect(await canConnect(await sandbox('r1'), blue, 80)).to.equal(true);
    await env.ok('network', 'disconnect', 'blue', 'r1');
    expect((await env.cli(['exec', 'r1', '--', 'ip', 'link', 'show', 'eth1'])).exitCode).to.not.equal(0);
    const rm = await env.cli(['network', 'rm', 'red']);
    expect(rm.exitCode).to.equal(2);
    expect(rm.stderr).to.contain('active endpoints');
  });

  it('stop releases the address, start takes one again, and an exiting command is released', async () => {
    await web(env, 'first');
    await env.ok('stop', '-t', '1', 'first');
    expect((await inspect(env, 'first')).State.Status).to.equal('exited');
    const second = await web(env, 'second');
    expect(second).to.equal('172.17.0.2');
    await env.ok('start', 'first');
    expect(Object.values((await inspect(env, 'first')).NetworkSettings.Networks)[0]!.IPAddress).to.equal('172.17.0.3');
    await env.ok('run', '-d', '--name', 'brief', '--', 'sleep', '0.2');
    let status = '';
    for (let i = 0; i < 50 && status !== 'exited'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await inspect(env, 'brief')).State.Status;
    }
    expect(status).to.equal('exited');
    expect(Object.values((await inspect(env, 'brief')).NetworkSettings.Networks)[0]!.IPAddress).to.equal('');
  });

  it('leaves no interface, namespace or rule behind after rm and network rm', async () => {
    await env.ok('network', 'create', 'tmpnet');
    await web(env, 'x', '--net', 'tmpnet', '-p', '18080:80');
    const id = (await inspect(env, 'x')).Id;
    await env.ok('rm', '-f', 'x');
    await env.ok('network', 'rm', 'tmpnet');
    const links = (await execIn(env.host, ['ip', '-o', 'link'])).stdout;
    expect(links).to.not.match(/ vc[0-9a-f]/);
    expect(links).to.not.match(/ ctr-/);
    expect((await execIn(env.host, ['ip', 'netns', 'list'])).stdout).to.not.contain(id.slice(0, 12));
  });
});
