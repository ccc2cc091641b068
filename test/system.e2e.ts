/**
 * End to end: events, system info, switching port backends, logs, port, -P,
 * a config file with a third-party plugin loaded by path.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCtrnetEnv, execIn, useTestNamespaces } from '@ctrnet/testkit';

const BUILTINS = ['@ctrnet/ipam-default', '@ctrnet/driver-bridge', '@ctrnet/driver-host', '@ctrnet/driver-none', '@ctrnet/driver-container', '@ctrnet/ports-nftables', '@ctrnet/ports-iptables'];
const AUDIT_PLUGIN = fileURLToPath(new URL('../../examples/audit-log/dist/src/index.js', import.meta.url));

describe('system (e2e)', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();

  it('journals lifecycle events and streams them with filters', async () => {
    const env = await createCtrnetEnv(tn);
    await env.ok('run', '--net', 'none', '--name', 'ev1', '--', 'true');
    const text = await env.ok('events', '--no-follow');
    expect(text).to.match(/container create \w+ \(name=ev1\)/);
    expect(text).to.match(/container remove \w+ \(name=ev1\)/);
    const lines = (await env.ok('events', '--no-follow', '--format', 'json', '--filter', 'container=ev1', '--filter', 'type=container'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).to.deep.equal(['container.create', 'container.start', 'container.stop', 'container.remove']);
    const bad = await env.cli(['events', '--no-follow', '--filter', 'colour=red']);
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.match(/^ctrnet: error: unknown filter key "colour"/);
  });

  it('reports plugins and the port backend, and switching backends leaves no rules of the old one', async () => {
    const nft = await createCtrnetEnv(tn, { env: { CTRNET_PORT_BACKEND: 'nftables' } });
    const info = JSON.parse(await nft.ok('system', 'info', '--format', 'json')) as { portBackend: { name: string; reason: string }; plugins: { name: string }[] };
    expect(info.portBackend).to.deep.equal({ name: 'nftables', reason: 'set by $CTRNET_PORT_BACKEND' });
    expect(info.plugins.map((p) => p.name)).to.include.members(BUILTINS);
    await nft.ok('run', '-d', '--name', 'sw', '-p', '18081:80', '--', 'sleep', '60');
    expect((await execIn(nft.host, ['nft', 'list', 'ruleset'])).stdout).to.contain('18081');

    // Same state dir and host, now with iptables: the nft rules go, iptables gets them all.
    const { ctrnetCli } = await import('@ctrnet/testkit');
    const ipt = ctrnetCli(nft.host, nft.stateDir, { env: { CTRNET_PORT_BACKEND: 'iptables' } });
    const switched = await ipt(['system', 'info', '--format', 'json']);
    expect(switched.exitCode, switched.stderr).to.equal(0);
    expect((await execIn(nft.host, ['nft', 'list', 'ruleset'])).stdout).to.not.contain('table inet ctrnet');
    expect((await execIn(nft.host, ['iptables-save', '-t', 'nat'])).stdout).to.contain('18081');
    expect((await ipt(['rm', '-f', 'sw'])).exitCode).to.equal(0);
    expect((await execIn(nft.host, ['iptables-save', '-t', 'nat'])).stdout).to.not.contain('18081');
  });

  it('prints logs, port bindings, and publishes exposed ports with -P', async () => {
    const env = await createCtrnetEnv(tn);
    await env.ok('run', '-d', '--name', 'talk', '--expose', '7000', '--expose', '7001/udp', '-P', '--', 'sh', '-c', 'echo hello from the container; sleep 60');
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('hello'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      logs = await env.ok('logs', 'talk');
    }
    expect(logs.trim()).to.equal('hello from the container');
    const ports = (await env.ok('port', 'talk')).trim().split('\n');
    expect(ports).to.have.length(2);
    expect(ports[0]).to.match(/^7000\/tcp -> 0\.0\.0\.0:(3[2-9]\d{3}|[4-5]\d{4}|60\d{3})$/);
    expect(ports[1]).to.match(/^7001\/udp -> 0\.0\.0\.0:\d+$/);
    // With a port, Docker prints just the host side.
    expect(await env.ok('port', 'talk', '7001/udp')).to.match(/^0\.0\.0\.0:\d+$/);
    const missing = await env.cli(['port', 'talk', '9999']);
    expect(missing.exitCode).to.equal(2);
  });

  it('loads a third-party plugin by path from the config file', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'ctt-audit-'));
    tn.defer(() => rmSync(logDir, { recursive: true, force: true }));
    const auditLog = join(logDir, 'audit.jsonl');
    const env = await createCtrnetEnv(tn, { config: { plugins: [...BUILTINS, AUDIT_PLUGIN] }, env: { CTRNET_AUDIT_LOG: auditLog } });
    const info = await env.ok('system', 'info');
    expect(info).to.contain('ctrnet-plugin-audit-log 0.1.0');
    await env.ok('run', '--net', 'none', '--', 'true');
    const events = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).to.include.members(['container.create', 'container.start', 'container.remove']);
  });
});
