/**
 * The CNI spec's cases, against the plugin as `ctrnet-cni install` puts it
 * into a CNI bin dir (the native front, which forwards to ctrnetd), run as a
 * runtime runs it (a fresh process, CNI_* variables, config on stdin) in a
 * throwaway host namespace; one case in-process (the front's fallback).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { configFingerprint } from '@ctrnet/core/api';
import { HttpApi } from '@ctrnet/client';
import { createCtrnetEnv, execIn, httpGet, startHttpServer, TestNamespaces, type CtrnetEnv, type NetnsHandle } from '@ctrnet/testkit';
import { installLauncher } from '../src/install.js';
import { cniCall, type CniOutcome } from './cni-call.js';

const SUBNET = '10.251.72';

describe('ctrnet-cni: CNI spec conformance (real binary, through ctrnetd)', function () {
  this.timeout(120_000);
  const tn = new TestNamespaces();
  let env: CtrnetEnv;
  let lan: NetnsHandle;
  let api: HttpApi;
  let plugin: string;

  const conf = (extra: Record<string, unknown> = {}, version = '1.0.0') =>
    JSON.stringify({ cniVersion: version, name: 'cnitest', type: 'ctrnet', subnet: `${SUBNET}.0/24`, stateDir: env.stateDir, ...extra });
  const call = (command: string, opts: { id?: string; netns?: string; ifname?: string; args?: string; extra?: Record<string, string | undefined> }, stdin: string): Promise<CniOutcome> =>
    cniCall(env.host.path, { CNI_COMMAND: command, CNI_CONTAINERID: opts.id, CNI_NETNS: opts.netns, CNI_IFNAME: opts.ifname ?? 'eth0', CNI_PATH: '/opt/cni/bin', CNI_ARGS: opts.args, ...opts.extra }, stdin, [plugin]);
  const ok = (out: CniOutcome) => {
    expect(out.exitCode, `${out.stdout}\n${out.stderr}`).to.equal(0);
    return out.json;
  };
  /** What a refused call must leave alone: ctrnet's containers and networks, and the host's interfaces (by name: a bridge's carrier settles late). */
  const state = async () => JSON.stringify([await api.call('container.list', { all: true }), await api.call('network.list', {}), (JSON.parse((await execIn(env.host, ['ip', '-j', 'link'])).stdout) as { ifname: string }[]).map((l) => l.ifname)]);
  const names = async () => (await api.call('container.list', { all: true })).map((c) => c.Name).sort();

  before(async () => {
    const bin = mkdtempSync(join(tmpdir(), 'ctt-cni-bin-'));
    tn.defer(() => rmSync(bin, { recursive: true, force: true }));
    plugin = installLauncher(bin, 'ctrnet');
    env = await createCtrnetEnv(tn, { daemon: true });
    api = new HttpApi(join(env.stateDir, 'ctrnetd.sock'), configFingerprint({ env: {} }));
    tn.defer(() => api.close());
    lan = await tn.create('lan');
    await env.host.exec(['ip', 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan.path]);
    await env.host.exec(['ip', 'addr', 'add', '10.251.73.1/24', 'dev', 'lan0']);
    await env.host.exec(['ip', 'link', 'set', 'lan0', 'up']);
    await lan.exec(['ip', 'addr', 'add', '10.251.73.2/24', 'dev', 'eth0']);
    await lan.exec(['ip', 'link', 'set', 'eth0', 'up']);
    await lan.exec(['ip', 'route', 'add', 'default', 'via', '10.251.73.1']);
  });

  after(async function () {
    this.timeout(60_000);
    await tn.cleanup();
  });

  for (const version of ['0.4.0', '1.0.0', '1.1.0']) {
    it(`ADD answers in the request's version ${version}; the published port answers from the LAN; DEL removes it all`, async () => {
      const ns = await tn.create('ctr');
      const id = `v${version.replaceAll('.', '')}`;
      const result = ok(await call('ADD', { id, netns: ns.path }, conf({ runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '' }] } }, version)))!;
      expect(result.cniVersion).to.equal(version);
      const ips = result.ips as { version?: string; address: string; interface: number }[];
      expect(ips[0]!.address).to.match(new RegExp(`^${SUBNET.replaceAll('.', '\\.')}\\.\\d+/24$`));
      expect(ips[0]!.version).to.equal(version === '0.4.0' ? '4' : undefined);
      const iface = (result.interfaces as { name: string; mac?: string; sandbox?: string }[])[ips[0]!.interface]!;
      expect(iface).to.include({ name: 'eth0', sandbox: ns.path });
      expect(iface.mac).to.match(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      await startHttpServer(tn, ns, { port: 80, body: `hello ${version}` });
      expect((await httpGet(lan, 'http://10.251.73.1:8080/')).body).to.equal(`hello ${version}`);
      ok(await call('DEL', { id, netns: ns.path }, conf({}, version)));
      expect((await execIn(ns, ['ip', '-br', 'link'])).stdout).to.not.include('eth0');
      expect(await names()).to.deep.equal([]);
    });
  }

  it('ADD twice with the same id and ifname fails (code 101) and leaves the first attachment working', async () => {
    const ns = await tn.create('twice');
    ok(await call('ADD', { id: 'twice', netns: ns.path }, conf()));
    const second = await call('ADD', { id: 'twice', netns: ns.path }, conf());
    expect(second.exitCode).to.equal(1);
    expect(second.json).to.include({ cniVersion: '1.0.0', code: 101 });
    ok(await call('CHECK', { id: 'twice', netns: ns.path }, conf()));
    ok(await call('DEL', { id: 'twice', netns: ns.path }, conf()));
  });

  it('DEL without a prior ADD, DEL twice, and DEL with a missing or empty netns all succeed', async () => {
    ok(await call('DEL', { id: 'never', netns: '/run/netns/ctt-never-there' }, conf()));
    const ns = await tn.create('gone');
    ok(await call('ADD', { id: 'gone', netns: ns.path }, conf()));
    await execIn(undefined, ['ip', 'netns', 'delete', ns.name]);
    ok(await call('DEL', { id: 'gone', netns: ns.path }, conf()));
    ok(await call('DEL', { id: 'gone', netns: '' }, conf()));
    expect(await names()).to.deep.equal([]);
  });

  it('CHECK passes right after ADD, fails with code 100 once the address is removed by hand, and with 3 for an unknown container', async () => {
    const ns = await tn.create('check');
    const result = ok(await call('ADD', { id: 'check', netns: ns.path }, conf()))!;
    ok(await call('CHECK', { id: 'check', netns: ns.path }, conf({ prevResult: result })));
    await ns.exec(['ip', 'addr', 'flush', 'dev', 'eth0']);
    const failed = await call('CHECK', { id: 'check', netns: ns.path }, conf({ prevResult: result }));
    expect(failed.exitCode).to.equal(1);
    expect(failed.json).to.include({ code: 100 });
    expect(String(failed.json!.details)).to.include('lacks address');
    const unknown = await call('CHECK', { id: 'nobody', netns: ns.path }, conf());
    expect(unknown.json).to.include({ code: 3 });
    ok(await call('DEL', { id: 'check', netns: ns.path }, conf()));
  });

  it('GC removes every attachment of the network not in cni.dev/valid-attachments (or the older cni.dev/attachments)', async () => {
    const a = await tn.create('gca');
    const b = await tn.create('gcb');
    const c = await tn.create('gcc');
    for (const [id, ns] of [['gc-a', a], ['gc-b', b], ['gc-c', c]] as const) ok(await call('ADD', { id, netns: ns.path }, conf({}, '1.1.0')));
    ok(await call('GC', {}, conf({ 'cni.dev/valid-attachments': [{ containerID: 'gc-a', ifname: 'eth0' }, { containerID: 'gc-b', ifname: 'eth0' }] }, '1.1.0')));
    expect(await names()).to.deep.equal(['cni:gc-a/eth0', 'cni:gc-b/eth0']);
    ok(await call('GC', {}, conf({ 'cni.dev/attachments': [{ containerID: 'gc-a', ifname: 'eth0' }] }, '1.1.0')));
    expect(await names()).to.deep.equal(['cni:gc-a/eth0']);
    const missing = await call('GC', {}, conf({}, '1.1.0'));
    expect(missing.json).to.include({ code: 7 });
    ok(await call('GC', {}, conf({ 'cni.dev/valid-attachments': [] }, '1.1.0')));
    expect(await names()).to.deep.equal([]);
  });

  it('STATUS says ready (0) when ctrnet answers and not available (50) when its installation cannot be opened; VERSION negotiates', async () => {
    ok(await call('STATUS', {}, conf({}, '1.1.0')));
    const broken = await call('STATUS', {}, conf({ configPath: '/nonexistent/ctrnet.json' }, '1.1.0'));
    expect(broken.json).to.include({ code: 50 });
    expect(ok(await call('VERSION', {}, '{"cniVersion":"1.1.0"}'))).to.deep.equal({ cniVersion: '1.1.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] });
    expect(ok(await call('VERSION', {}, '{"cniVersion":"0.4.0"}'))!.cniVersion).to.equal('0.4.0');
    // libcni sends the conf's version; an old or empty one still gets the list to choose from.
    expect(ok(await call('VERSION', {}, ''))!.supportedVersions).to.deep.equal(['0.4.0', '1.0.0', '1.1.0']);
  });

  it('runs in-process when no daemon is to be used (daemon: never): the native front falls back to Node, same result', async () => {
    const ns = await tn.create('inproc');
    const result = ok(await call('ADD', { id: 'inproc', netns: ns.path, extra: { CTRNET_DAEMON: 'never' } }, conf()))!;
    expect((result.ips as { address: string }[])[0]!.address).to.match(/\/24$/);
    ok(await call('DEL', { id: 'inproc', netns: ns.path, extra: { CTRNET_DAEMON: 'never' } }, conf()));
  });

  describe('malformed input: the right code, and nothing changed', () => {
    const cases: [string, () => Promise<CniOutcome>, number][] = [];
    const refuse = (what: string, code: number, run: (ns: string) => Promise<CniOutcome>) => cases.push([what, () => tn.create('bad').then((ns) => run(ns.path)), code]);
    refuse('bad JSON', 6, (ns) => call('ADD', { id: 'bad', netns: ns }, '{"cniVersion": "1.0.0", "name": '));
    refuse('an unknown cniVersion', 1, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ cniVersion: '2.0.0' })));
    refuse('missing CNI_CONTAINERID', 4, (ns) => call('ADD', { netns: ns }, conf()));
    refuse('missing CNI_NETNS', 4, () => call('ADD', { id: 'bad' }, conf()));
    refuse('missing CNI_IFNAME', 4, (ns) => call('ADD', { id: 'bad', netns: ns, extra: { CNI_IFNAME: undefined } }, conf()));
    refuse('an unknown CNI_COMMAND', 4, (ns) => call('FROB', { id: 'bad', netns: ns }, conf()));
    refuse('a string hostPort', 2, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ runtimeConfig: { portMappings: [{ hostPort: '8080', containerPort: 80, protocol: 'tcp' }] } })));
    refuse('protocol icmp', 2, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ runtimeConfig: { portMappings: [{ hostPort: 8081, containerPort: 80, protocol: 'icmp' }] } })));
    refuse('ips that are not addresses', 2, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ runtimeConfig: { ips: ['ten.one'] } })));
    refuse('a bad mac', 2, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ runtimeConfig: { mac: 'nope' } })));
    refuse('bad dns', 2, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ runtimeConfig: { dns: { servers: 'x' } } })));
    refuse('an unknown CNI_ARGS key', 2, (ns) => call('ADD', { id: 'bad', netns: ns, args: 'FOO=1' }, conf()));
    refuse('an address off the subnet', 7, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ runtimeConfig: { ips: ['192.0.2.9/24'] } })));
    refuse('an unknown driver', 7, (ns) => call('ADD', { id: 'bad', netns: ns }, conf({ network: 'otherdrv', driver: 'nosuchdriver' })));
    refuse('a namespace that does not exist', 7, () => call('ADD', { id: 'bad', netns: '/run/netns/ctt-not-a-namespace' }, conf()));
    for (const [what, run, code] of cases) {
      it(`${what} → code ${code}`, async () => {
        // The network exists from the cases above; a first ADD would create it, which is a change of its own.
        const before = await state();
        const out = await run();
        expect(out.exitCode, out.stdout).to.equal(1);
        expect(out.json, out.stdout).to.include({ code });
        expect(out.json!.msg, 'the error names what is wrong').to.be.a('string').that.is.not.empty;
        expect(await state()).to.equal(before);
      });
    }
  });
});
