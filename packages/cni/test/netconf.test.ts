import { expect } from 'chai';
import { parseNetConf, peekVersion } from '../src/netconf.js';
import { CniError } from '../src/spec.js';

const base = { cniVersion: '1.0.0', name: 'web', type: 'ctrnet' };
const parse = (extra: Record<string, unknown>, args: [string, string][] = []) => parseNetConf(JSON.stringify({ ...base, ...extra }), args);
const codeOf = (fn: () => unknown): number => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CniError) return err.code;
    throw err;
  }
  throw new Error('expected a CniError');
};

describe('parseNetConf', () => {
  it('names the ctrnet network after the conflist unless "network" says otherwise, with bridge by default', () => {
    expect(parse({}).network).to.deep.equal({ name: 'web', driver: 'bridge', ipamDriver: undefined, subnet: undefined, gateway: undefined, ipRange: undefined, internal: false, options: {} });
    expect(parse({ network: 'other', subnet: '10.9.0.0/24', options: { mtu: '1400' } }).network).to.include({ name: 'other', subnet: '10.9.0.0/24' });
  });

  it('turns capability arguments into the attachment: ports, one address, MAC, DNS, aliases', () => {
    const conf = parse({
      runtimeConfig: {
        portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'TCP', hostIP: '' }, { hostPort: 53, containerPort: 53, protocol: 'udp', hostIP: '127.0.0.1' }],
        ips: ['10.9.0.5/24'],
        mac: 'C2:11:22:33:44:55',
        dns: { servers: ['10.9.0.1'], searches: ['x.test'] },
        aliases: { web: ['www', 'site'], other: ['no'] },
        bandwidth: { ingressRate: 1 },
      },
    });
    expect(conf.attachment).to.deep.equal({
      publish: [
        { hostPorts: { start: 8080, end: 8080 }, containerPorts: { start: 80, end: 80 }, protocol: 'tcp' },
        { hostIp: '127.0.0.1', hostPorts: { start: 53, end: 53 }, containerPorts: { start: 53, end: 53 }, protocol: 'udp' },
      ],
      ip: '10.9.0.5',
      mac: 'c2:11:22:33:44:55',
      dns: { servers: ['10.9.0.1'], searches: ['x.test'], options: [] },
      aliases: ['www', 'site'],
    });
  });

  it('takes IP and MAC from CNI_ARGS (Podman), and refuses unknown keys unless IgnoreUnknown', () => {
    expect(parse({}, [['IP', '10.9.0.7'], ['MAC', '02:00:00:00:00:07']]).attachment).to.include({ ip: '10.9.0.7', mac: '02:00:00:00:00:07' });
    expect(parse({}, [['IgnoreUnknown', '1'], ['K8S_POD_NAME', 'web']]).attachment.ip).to.equal(undefined);
    expect(codeOf(() => parse({}, [['K8S_POD_NAME', 'web']]))).to.equal(2);
  });

  it('reads the valid attachments of GC under either key', () => {
    expect(parse({ 'cni.dev/valid-attachments': [{ containerID: 'a', ifname: 'eth0' }] }).validAttachments).to.deep.equal([{ containerID: 'a', ifname: 'eth0' }]);
    expect(parse({ 'cni.dev/attachments': [{ containerID: 'b', ifname: 'eth1' }] }).validAttachments).to.deep.equal([{ containerID: 'b', ifname: 'eth1' }]);
  });

  const cases: [string, () => unknown, number][] = [
    ['bad JSON', () => parseNetConf('{"cniVersion":'), 6],
    ['a JSON array', () => parseNetConf('[]'), 6],
    ['an unknown cniVersion', () => parse({ cniVersion: '9.9.9' }), 1],
    ['no cniVersion', () => parseNetConf(JSON.stringify({ name: 'x' })), 1],
    ['no name', () => parseNetConf(JSON.stringify({ cniVersion: '1.0.0' })), 7],
    ['a non-string option', () => parse({ options: { mtu: 1400 } }), 7],
    ['a string hostPort', () => parse({ runtimeConfig: { portMappings: [{ hostPort: '80', containerPort: 80 }] } }), 2],
    ['port 0', () => parse({ runtimeConfig: { portMappings: [{ hostPort: 0, containerPort: 80 }] } }), 2],
    ['protocol icmp', () => parse({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, protocol: 'icmp' }] } }), 2],
    ['an IPv6 hostIP', () => parse({ runtimeConfig: { portMappings: [{ hostPort: 80, containerPort: 80, hostIP: '::1' }] } }), 2],
    ['portMappings not a list', () => parse({ runtimeConfig: { portMappings: {} } }), 2],
    ['ips with garbage', () => parse({ runtimeConfig: { ips: ['nope'] } }), 2],
    ['two IPv4 ips', () => parse({ runtimeConfig: { ips: ['10.0.0.2', '10.0.0.3'] } }), 2],
    ['a bad MAC', () => parse({ runtimeConfig: { mac: 'zz:zz' } }), 2],
    ['DNS servers that are not addresses', () => parse({ runtimeConfig: { dns: { servers: ['dns.example'] } } }), 2],
    ['aliases that are not names', () => parse({ runtimeConfig: { aliases: { web: [''] } } }), 2],
    ['GC attachments of the wrong shape', () => parse({ 'cni.dev/valid-attachments': [{ id: 'a' }] }), 7],
  ];
  for (const [what, fn, code] of cases) {
    it(`refuses ${what} with code ${code}`, () => expect(codeOf(fn)).to.equal(code));
  }

  it('peeks at the version without failing on anything', () => {
    expect(peekVersion('{"cniVersion":"0.4.0"}')).to.equal('0.4.0');
    expect(peekVersion('nope')).to.equal(undefined);
  });
});
