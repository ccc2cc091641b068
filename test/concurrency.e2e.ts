/**
 * End to end: many ctrnet processes at once on one installation. 50
 * detached `run -p` must all succeed with distinct names, addresses and host
 * ports and be reachable; 50 `rm -f` at once must leave nothing; 10
 * `network create` racing on auto-picked subnets must not overlap, and 10
 * `network rm` at once must leave nothing.
 */
import { expect } from 'chai';
import { cidrsOverlap } from '@ctrnet/core';
import { createCtrnetEnv, execIn, httpGet, useTestNamespaces, type CtrnetEnv, type ExecOutput } from '@ctrnet/testkit';
import { containerNetns, iptablesRules, nftRuleset, userBridges, vethLinks } from './helpers/kernel.js';
import { networks, ps } from './helpers/state.js';

const CONTAINERS = 50;
/** How many of them run a tiny HTTP server (the rest sleep): enough to prove the published ports work. */
const SERVERS = 5;
const NETWORKS = 10;
const SERVER = "require('http').createServer((q,s)=>s.end('ok')).listen(80)";

/**
 * One Node process in `ns` tries a TCP connection to every address at once
 * and reports, per address, whether the host answered at all: a refusal
 * (RST) proves the address is reachable as well as an accept does.
 */
const REACH = `
const [port, timeoutMs, ...hosts] = process.argv.slice(1);
const net = require('node:net');
Promise.all(hosts.map((host) => new Promise((done) => {
  const s = net.connect(Number(port), host, () => { s.destroy(); done([host, 'open']); });
  s.setTimeout(Number(timeoutMs), () => { s.destroy(); done([host, 'timeout']); });
  s.on('error', (e) => done([host, e.code === 'ECONNREFUSED' ? 'refused' : e.code]));
}))).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));
`;

async function reachability(env: CtrnetEnv, ips: string[]): Promise<Record<string, string>> {
  const out = await execIn(env.host, [process.execPath, '-e', REACH, '--', '80', '2000', ...ips]);
  return JSON.parse(out.stdout) as Record<string, string>;
}

/** Every result must be exit 0; otherwise list the failures. */
function allOk(results: ExecOutput[], what: (i: number) => string): void {
  const failed = results.map((r, i) => (r.exitCode === 0 ? '' : `${what(i)}: exit ${r.exitCode}: ${r.stderr.trim()}`)).filter(Boolean);
  expect(failed).to.deep.equal([]);
}

describe('concurrency (e2e)', function () {
  this.timeout(180_000);
  const tn = useTestNamespaces();

  it(`${CONTAINERS} run -d -p at once, then ${CONTAINERS} rm -f at once`, async () => {
    const env = await createCtrnetEnv(tn);
    await env.ok('network', 'create', '--subnet', '10.55.0.0/24', 'busy');
    const names = Array.from({ length: CONTAINERS }, (_, i) => `c${i}`);
    const command = (i: number) => (i < SERVERS ? [process.execPath, '-e', SERVER] : ['sleep', '300']);
    const runs = await Promise.all(names.map((name, i) => env.cli(['run', '-d', '--name', name, '--net', 'busy', '-p', '80', '--', ...command(i)])));
    allOk(runs, (i) => `run ${names[i]}`);
    expect(runs.map((r) => r.stdout.trim()).sort()).to.deep.equal([...names].sort());

    const containers = await ps(env);
    expect(containers.map((c) => c.Name).sort()).to.deep.equal([...names].sort());
    expect(containers.every((c) => c.Status === 'running')).to.equal(true);
    const ips = containers.map((c) => c.IPs[0] ?? '');
    expect(new Set(ips).size, 'distinct addresses').to.equal(CONTAINERS);
    expect(ips.every((ip) => ip.startsWith('10.55.0.'))).to.equal(true);
    const hostPorts = containers.map((c) => c.Ports[0]?.HostPort ?? 0);
    expect(new Set(hostPorts).size, 'distinct host ports').to.equal(CONTAINERS);
    expect(hostPorts.every((p) => p >= 32768 && p <= 60999)).to.equal(true);
    expect(await vethLinks(env.host)).to.have.length(CONTAINERS);

    // Servers need a moment to listen; the sleepers answer with a refusal, which proves the route too.
    const servers = containers.filter((c) => Number(c.Name.slice(1)) < SERVERS);
    let reach: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      reach = await reachability(env, ips);
      if (servers.every((s) => reach[s.IPs[0]!] === 'open') && ips.every((ip) => reach[ip] === 'open' || reach[ip] === 'refused')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Object.entries(reach).filter(([, v]) => v !== 'open' && v !== 'refused')).to.deep.equal([]);
    for (const s of servers) {
      expect(reach[s.IPs[0]!], s.Name).to.equal('open');
      expect((await httpGet(env.host, `http://127.0.0.1:${s.Ports[0]!.HostPort}/`)).body, `${s.Name} through its published port`).to.equal('ok');
    }

    const ids = containers.map((c) => c.Id);
    const removals = await Promise.all(names.map((name) => env.cli(['rm', '-f', name])));
    allOk(removals, (i) => `rm -f ${names[i]}`);
    expect(await ps(env)).to.deep.equal([]);
    expect(await vethLinks(env.host)).to.deep.equal([]);
    const leftNetns = (await containerNetns()).filter((ns) => ids.some((id) => ns === `ctrnet-${id.slice(0, 12)}`));
    expect(leftNetns).to.deep.equal([]);
    const rules = `${await nftRuleset(env.host)}\n${await iptablesRules(env.host)}`;
    expect(hostPorts.filter((p) => new RegExp(`\\b${p}\\b`).test(rules)), 'DNAT rules of removed containers').to.deep.equal([]);
    expect(JSON.parse(await env.ok('network', 'inspect', 'busy'))[0].Containers).to.deep.equal({});
    // Every address and port is free again: the next container gets the first address and the first ephemeral port.
    await env.ok('run', '-d', '--name', 'after', '--net', 'busy', '-p', '80', '--', 'sleep', '300');
    const after = (await ps(env))[0]!;
    expect(after.IPs).to.deep.equal(['10.55.0.2']);
    expect(after.Ports[0]!.HostPort).to.equal(Math.min(...hostPorts));
  });

  it(`${NETWORKS} network create at once pick subnets that do not overlap; ${NETWORKS} network rm at once leave nothing`, async () => {
    const env = await createCtrnetEnv(tn);
    const names = Array.from({ length: NETWORKS }, (_, i) => `n${i}`);
    allOk(await Promise.all(names.map((name) => env.cli(['network', 'create', name]))), (i) => `network create ${names[i]}`);
    const created = (await networks(env)).filter((n) => names.includes(n.Name));
    expect(created.map((n) => n.Name).sort()).to.deep.equal([...names].sort());
    const subnets = created.map((n) => n.Subnet);
    const overlapping = subnets.flatMap((a, i) => subnets.slice(i + 1).filter((b) => cidrsOverlap(a, b)).map((b) => `${a} ~ ${b}`));
    expect(overlapping).to.deep.equal([]);
    expect(await userBridges(env.host)).to.have.length(NETWORKS);
    const routes = (await execIn(env.host, ['ip', '-4', 'route'])).stdout;
    for (const subnet of subnets) expect(routes, subnet).to.contain(subnet);

    allOk(await Promise.all(names.map((name) => env.cli(['network', 'rm', name]))), (i) => `network rm ${names[i]}`);
    expect((await networks(env)).filter((n) => !['bridge', 'host', 'none'].includes(n.Name))).to.deep.equal([]);
    expect(await userBridges(env.host)).to.deep.equal([]);
    const rules = `${await nftRuleset(env.host)}\n${await iptablesRules(env.host)}`;
    expect(subnets.filter((s) => rules.includes(s)), 'firewall rules of removed networks').to.deep.equal([]);
    // The pools are free again: the same subnets can be taken once more.
    allOk(await Promise.all(subnets.map((subnet, i) => env.cli(['network', 'create', '--subnet', subnet, `again${i}`]))), (i) => `network create --subnet ${subnets[i]}`);
  });
});
