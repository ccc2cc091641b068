/**
 * End to end: a Docker user's everyday commands and their output — ps and
 * network ls columns, filters, -q, --no-trunc and Go templates; inspect of
 * containers and networks, several names, -f; the container forms; port
 * NAME PORT; prune; logs with --tail, --since, -t and -f; --add-host with
 * host-gateway; -p 0:80 and the long form; -e=K=V; completion and help.
 */
import { expect } from 'chai';
import { createCtrnetEnv, useTestNamespaces, type CtrnetEnv } from '@ctrnet/testkit';
import { inspect } from './helpers/state.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('everyday commands (e2e)', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();
  let env: CtrnetEnv;

  beforeEach(async () => {
    env = await createCtrnetEnv(tn);
  });

  it("lists containers with Docker's columns, wording, order, filters, -q and templates", async () => {
    await env.ok('network', 'create', '--subnet', '10.91.0.0/24', 'front');
    await env.ok('run', '-d', '--name', 'old', '--label', 'tier=db', '--', 'sleep', '600');
    await sleep(1100);
    await env.ok('run', '-d', '--name', 'web', '--net', 'front', '-l', 'tier=web', '-l', 'team=a', '-p', '18091:80', '--', 'sh', '-c', 'sleep 600 # a long command line');
    await env.ok('run', '-d', '--name', 'seven', '--', 'sh', '-c', 'exit 7');
    await until('seven to exit', async () => (await env.ok('ps', '-aq', '--filter', 'name=seven', '--filter', 'status=exited')).trim() !== '');

    const table = lines(await env.ok('ps'));
    expect(table[0]).to.match(/^CONTAINER ID {3}COMMAND {2,}CREATED {2,}STATUS {2,}PORTS {2,}NAMES {2,}NETWORKS$/);
    expect(table.slice(1).map((l) => l.split(/\s{3,}/).at(-2)), 'newest first, running only').to.deep.equal(['web', 'old']);
    expect(table[1]).to.contain('"sh -c sleep 600 # a…"').and.contain('0.0.0.0:18091->80/tcp').and.match(/Up (Less than a second|\d+ seconds?)/);
    expect(table[1]).to.match(/ {3}front$/);
    const exited = lines(await env.ok('ps', '-a')).find((l) => l.includes('seven'))!;
    expect(exited).to.match(/Exited \(7\) (Less than a second|\d+ seconds?) ago/);

    const ids = lines(await env.ok('ps', '-q'));
    expect(ids).to.have.length(2);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{12}$/);
    expect(lines(await env.ok('ps', '-aq', '--no-trunc')).map((id) => id.length)).to.deep.equal([64, 64, 64]);
    expect(await env.ok('ps', '--no-trunc', '--format', '{{.Command}}', '--filter', 'name=web')).to.equal('"sh -c sleep 600 # a long command line"');

    const names = async (...filters: string[]) => lines(await env.ok('ps', '-a', '--format', '{{.Names}}', ...filters.flatMap((f) => ['--filter', f])));
    expect(await names('name=web', 'name=old'), 'same key: any').to.deep.equal(['web', 'old']);
    expect(await names('name=e', 'status=running'), 'different keys: all').to.deep.equal(['web']);
    expect(await names('label=tier')).to.deep.equal(['web', 'old']);
    expect(await names('label=tier=web', 'label=team'), 'label filters: all').to.deep.equal(['web']);
    expect(await names('network=front')).to.deep.equal(['web']);
    expect(await names('network=bridge')).to.deep.equal(['seven', 'old']);
    expect(await names(`id=${ids[1]}`)).to.deep.equal(['old']);
    expect(await names('exited=7')).to.deep.equal(['seven']);
    expect(lines(await env.ok('ps', '--filter', 'status=exited', '--format', '{{.Names}} {{.State}}')), 'a status filter looks at stopped ones').to.deep.equal(['seven exited']);

    const custom = lines(await env.ok('ps', '--format', 'table {{.Names}}\\t{{.Networks}}\\t{{.Labels}}'));
    expect(custom).to.deep.equal(['NAMES     NETWORKS   LABELS', 'web       front      team=a,tier=web', 'old       bridge     tier=db']);
    expect(await env.ok('ps', '-l', '--format', '{{.Names}} {{json .State}}'), '-l: the last created, in any state').to.equal('seven "exited"');

    const json = JSON.parse(await env.ok('ps', '-a', '--format', 'json')) as { Name: string; Labels: Record<string, string>; Networks: string[] }[];
    expect(json.map((c) => c.Name)).to.deep.equal(['seven', 'web', 'old']);
    expect(json[1]).to.deep.include({ Labels: { tier: 'web', team: 'a' }, Networks: ['front'] });

    const bad = await env.cli(['ps', '--format', '{{.Names']);
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.match(/^ctrnet: error: invalid --format "\{\{\.Names": template: :1: .*$/);
  });

  it('lists networks like Docker, with -q, filters, templates and the container form of every command', async () => {
    await env.ok('network', 'create', '--subnet', '10.92.0.0/24', 'net10');
    await env.ok('network', 'create', '--subnet', '10.92.1.0/24', 'net2');
    await env.ok('run', '-d', '--name', 'user', '--net', 'net2', '--', 'sleep', '600');
    const table = lines(await env.ok('network', 'ls'));
    expect(table[0]).to.match(/^NETWORK ID {5}NAME {2,}DRIVER {2,}SCOPE$/);
    expect(table.slice(1).map((l) => l.split(/\s+/)[1])).to.deep.equal(['bridge', 'host', 'net2', 'net10', 'none']);
    expect(table[1]).to.match(/^[0-9a-f]{12} {3}bridge {2,}bridge {2,}local$/);
    expect(lines(await env.ok('network', 'ls', '-q'))).to.have.length(5);
    expect(lines(await env.ok('network', 'ls', '-q', '--no-trunc'))[0]).to.match(/^[0-9a-f]{64}$/);
    expect(lines(await env.ok('network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}} {{.Driver}} {{.Subnet}}'))).to.deep.equal(['net2 bridge 10.92.1.0/24', 'net10 bridge 10.92.0.0/24']);
    expect(lines(await env.ok('network', 'ls', '--filter', 'dangling=true', '--format', '{{.Name}}'))).to.deep.equal(['net10']);
    expect(lines(await env.ok('network', 'ls', '-f', 'name=^net', '-f', 'driver=bridge', '--format', '{{.Name}}'))).to.deep.equal(['net2', 'net10']);
    expect(JSON.parse(await env.ok('network', 'ls', '--format', 'json')).map((n: { Name: string }) => n.Name)).to.include('net10');
    expect(await env.ok('network', 'inspect', '-f', '{{.Name}} {{(index .IPAM.Config 0).Subnet}}', 'net2', 'net10')).to.equal('net2 10.92.1.0/24\nnet10 10.92.0.0/24');

    expect(lines(await env.ok('container', 'ls', '--format', '{{.Names}}'))).to.deep.equal(['user']);
    expect(lines(await env.ok('container', 'list', '-q'))).to.have.length(1);
    expect(await env.ok('container', 'inspect', '-f', '{{.State.Status}}', 'user')).to.equal('running');
    expect(await env.ok('container', 'stop', '-t', '0', 'user')).to.equal('user');
    expect(await env.ok('container', 'start', 'user')).to.equal('user');
    expect((await env.cli(['container', 'inspect', 'net2'])).stderr, 'container inspect looks at containers only').to.contain('No such container: "net2"');
    expect(await env.ok('container', 'rm', '-f', 'user')).to.equal('user');
  });

  it('inspects containers then networks, several at once, with templates, and the legacy NetworkSettings fields', async () => {
    await env.ok('network', 'create', '--subnet', '10.93.0.0/24', 'back');
    await env.ok('run', '-d', '--name', 'onbridge', '--', 'sleep', '600');
    await env.ok('run', '-d', '--name', 'onback', '--net', 'back', '--', 'sleep', '600');
    const view = await inspect(env, 'onbridge');
    const bridge = view.NetworkSettings.Networks.bridge!;
    expect(await env.ok('inspect', '-f', '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.MacAddress}}', 'onbridge')).to.equal(
      `${bridge.IPAddress} ${bridge.Gateway} ${bridge.MacAddress}`,
    );
    expect(await env.ok('inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'onback')).to.match(/^10\.93\.0\.\d+$/);
    expect(await env.ok('inspect', '-f', '[{{.NetworkSettings.IPAddress}}]', 'onback'), 'empty off the default bridge, as in Docker').to.equal('[]');
    expect(await env.ok('inspect', '-f', '{{.Name}}', 'onback', 'back', 'bridge')).to.equal('/onback\nback\nbridge');
    const both = JSON.parse(await env.ok('inspect', 'onbridge', 'back')) as { Name: string }[];
    expect(both.map((o) => o.Name)).to.deep.equal(['/onbridge', 'back']);
    expect(await env.ok('inspect', '-f', 'json', 'onbridge')).to.match(/^\[\{"Id":"[0-9a-f]{64}",/);

    const partly = await env.cli(['inspect', 'onbridge', 'nosuch', 'alsonot']);
    expect(partly.exitCode).to.equal(1);
    expect((JSON.parse(partly.stdout) as { Name: string }[]).map((o) => o.Name)).to.deep.equal(['/onbridge']);
    expect(partly.stderr).to.equal('ctrnet: error: No such object: "nosuch", "alsonot"');

    // Fails on the typed data, and on the raw retry (missingkey=error), as docker inspect does.
    const failing = await env.cli(['inspect', '-f', '{{.Name.Foo}}', 'onbridge']);
    expect(failing.exitCode).to.equal(2);
    expect(failing.stderr).to.equal('ctrnet: error: --format "{{.Name.Foo}}" failed: template: :1:7: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type interface {}');
    expect(await env.ok('inspect', '-f', '{{.Nope}}|{{index .Config.Labels "nope"}}|', 'onbridge'), 'missing keys').to.equal('<no value>||');
    const parse = await env.cli(['inspect', '-f', '{{if}}', 'onbridge']);
    expect(parse.exitCode).to.equal(2);
    expect(parse.stderr).to.match(/^ctrnet: error: invalid --format "\{\{if\}\}": template: :1: missing value for if$/);
    expect(await env.ok('system', 'info', '--format', '{{.stateDir}}')).to.equal(env.stateDir);
  });

  it('prints the host side for port NAME PORT, takes -p 0:80, the long form and -x=value spellings', async () => {
    await env.ok('run', '-d', '--name', 'pub', '-p=18092:80', '-p', '0:81', '-p', 'target=82,published=18093,protocol=udp,host_ip=127.0.0.1', '-e=GREETING=hi=there', '--', 'sleep', '600');
    expect(await env.ok('port', 'pub', '80')).to.equal('0.0.0.0:18092');
    expect(await env.ok('port', 'pub', '82/udp')).to.equal('127.0.0.1:18093');
    expect(await env.ok('port', 'pub', '81')).to.match(/^0\.0\.0\.0:(3[2-9]\d{3}|[4-5]\d{4}|60\d{3})$/);
    expect(lines(await env.ok('port', 'pub'))).to.have.length(3);
    expect(await env.ok('exec', 'pub', '--', 'sh', '-c', 'echo $GREETING')).to.equal('hi=there');
  });

  it('resolves --add-host NAME=IP and host-gateway to the host on the container network', async () => {
    await env.ok('network', 'create', '--subnet', '10.94.0.0/24', '--gateway', '10.94.0.254', 'gw');
    const out = await env.ok('run', '--net', 'gw', '--add-host', 'db=10.1.2.3', '--add-host', 'host.docker.internal:host-gateway', '--', 'cat', '/etc/hosts');
    expect(out).to.contain('10.1.2.3\tdb').and.contain('10.94.0.254\thost.docker.internal');
    const onBridge = await env.ok('run', '--add-host=me=host-gateway', '--', 'cat', '/etc/hosts');
    expect(onBridge).to.contain('172.17.0.1\tme');
  });

  it('warns and discards -p and -P with --net none', async () => {
    for (const flags of [['-p', '18094:80'], ['--expose', '80', '-P']]) {
      const r = await env.cli(['run', '--net', 'none', ...flags, '--', 'true']);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('WARNING: Published ports are discarded when using none network mode');
    }
  });

  it('prunes stopped containers and unused networks, asking first unless -f', async () => {
    await env.ok('network', 'create', '--subnet', '10.95.0.0/24', 'unused');
    await env.ok('network', 'create', '--subnet', '10.95.1.0/24', 'used');
    await env.ok('run', '-d', '--name', 'keep', '--net', 'used', '--', 'sleep', '600');
    await env.ok('run', '-d', '--name', 'gone', '--', 'true');
    await until('gone to exit', async () => (await env.ok('ps', '-q', '--filter', 'status=exited')).trim() !== '');
    const goneId = (await env.ok('inspect', '-f', '{{.Id}}', 'gone')).trim();

    const declined = await env.cli(['container', 'prune'], { input: 'n\n' });
    expect(declined.stdout).to.equal('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
    expect(lines(await env.ok('ps', '-aq'))).to.have.length(2);
    const accepted = await env.cli(['container', 'prune'], { input: 'y\n' });
    expect(accepted.stdout).to.equal(`WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] Deleted Containers:\n${goneId}`);
    expect(await env.ok('network', 'prune', '-f')).to.equal('Deleted Networks:\nunused');
    expect(lines(await env.ok('network', 'ls', '--format', '{{.Name}}'))).to.deep.equal(['bridge', 'host', 'none', 'used']);

    await env.ok('rm', '-f', 'keep');
    await env.ok('run', '-d', '--name', 'again', '--', 'true');
    await until('again to exit', async () => (await env.ok('ps', '-q', '--filter', 'status=exited')).trim() !== '');
    const againId = (await env.ok('inspect', '-f', '{{.Id}}', 'again')).trim();
    expect(lines(await env.ok('system', 'prune', '--force'))).to.deep.equal(['Deleted Containers:', againId, 'Deleted Networks:', 'used']);
  });

  it('prints logs with --tail, --since, --until, -t and follows them with -f', async () => {
    await env.ok('run', '-d', '--name', 'talk', '--', 'sh', '-c', 'echo one; echo two >&2; sleep 1.2; echo three; sleep 1; echo four; sleep 600');
    await until('four lines', async () => lines(await env.ok('logs', 'talk')).length === 4);
    expect(await env.ok('logs', 'talk')).to.equal('one\ntwo\nthree\nfour');
    expect(await env.ok('logs', '--tail', '2', 'talk')).to.equal('three\nfour');
    expect(await env.ok('logs', '-n', '0', 'talk')).to.equal('');
    const stamped = lines(await env.ok('logs', '-t', 'talk'));
    const times = stamped.map((l) => Date.parse(l.split(' ')[0]!));
    for (const l of stamped) expect(l).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{2}0{7}Z (one|two|three|four)$/);
    expect(Math.abs(times[0]! - Date.now())).to.be.below(10_000);
    expect(times[2]! - times[1]!).to.be.within(1000, 3000);
    const since = new Date(times[2]!).toISOString();
    expect(await env.ok('logs', '--since', since, 'talk')).to.equal('three\nfour');
    expect(await env.ok('logs', '--until', since, 'talk')).to.equal('one\ntwo\nthree');
    expect(await env.ok('logs', '--since', String(times[3]! / 1000), 'talk')).to.equal('four');
    expect(await env.ok('logs', '--since', '10m', 'talk')).to.equal('one\ntwo\nthree\nfour');

    await env.ok('run', '-d', '--name', 'ticker', '--', 'sh', '-c', 'echo a; sleep 1; echo b; sleep 1; echo c');
    const followed = await env.cli(['logs', '-f', 'ticker'], { timeoutMs: 20_000 });
    expect(followed.exitCode, 'ends when the container does').to.equal(0);
    expect(followed.stdout).to.equal('a\nb\nc');
  });

  it('completes commands, flags and names for bash and zsh, and shows help for every subcommand', async () => {
    await env.ok('network', 'create', '--subnet', '10.96.0.0/24', 'complete-net');
    await env.ok('run', '-d', '--name', 'complete-me', '--', 'sleep', '600');
    const complete = async (...words: string[]) => lines(await env.ok('__complete', '--', ...words)).map((l) => l.split('\t')[0]);
    expect(await complete('net')).to.deep.equal(['network']);
    expect(await complete('network', '')).to.include.members(['create', 'ls', 'inspect', 'prune', 'rm', 'connect', 'disconnect']);
    expect(await complete('stop', 'comp')).to.deep.equal(['complete-me']);
    expect(await complete('network', 'inspect', 'comp')).to.deep.equal(['complete-net']);
    expect(await complete('network', 'connect', 'complete-net', '')).to.deep.equal(['complete-me']);
    expect(await complete('run', '--net', '')).to.include.members(['bridge', 'host', 'none', 'complete-net']);
    expect(await complete('ps', '--no')).to.deep.equal(['--no-trunc']);
    expect(await complete('container', 'l')).to.deep.equal(['ls', 'logs']);
    expect(await env.ok('completion', 'bash')).to.contain('complete -F _ctrnet_complete ctrnet');
    expect(await env.ok('completion', 'zsh')).to.match(/^#compdef ctrnet/);

    const help = await env.ok('help', 'network', 'create');
    expect(help).to.match(/^Usage: ctrnet network create \[options\] <name>/);
    for (const path of [['run'], ['ps'], ['container', 'ls'], ['network', 'prune'], ['system', 'prune'], ['logs'], ['completion']]) {
      expect(await env.ok(...path, '--help'), path.join(' ')).to.contain(`Usage: ctrnet ${path.join(' ')}`);
    }
  });
});
