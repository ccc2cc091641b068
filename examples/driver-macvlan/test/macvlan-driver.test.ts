import { expect } from 'chai';
import { CtrnetError, ExecError, RecordingExecutor, type Endpoint, type Network, type PluginContext } from '@ctrnet/core';
import { MacvlanDriver } from '../src/index.js';

/** The driver only calls its logger; a no-op keeps the example free of a `debug` dependency. */
const log = (() => undefined) as unknown as PluginContext['log'];
const driver = new MacvlanDriver();
const ENDPOINT_ID = 'feedc0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345';
const SANDBOX = { containerId: 'c'.repeat(64), netnsPath: '/run/netns/ctrnet-cccccccccccc', kind: 'own' as const };

function network(overrides: Partial<Network> = {}): Network {
  return {
    id: 'a'.repeat(64),
    name: 'mv',
    driver: 'macvlan',
    ipamDriver: 'default',
    pool: { subnet: '10.250.7.0/24', gateway: '10.250.7.1' },
    internal: false,
    ipv6: false,
    options: { parent: 'eth0', macvlan_mode: 'bridge' },
    driverData: {},
    created: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function endpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return { id: ENDPOINT_ID, containerId: 'c'.repeat(64), networkId: 'a'.repeat(64), ifname: 'eth0', ipv4: '10.250.7.2', defaultRoute: true, ...overrides };
}

describe('MacvlanDriver', () => {
  it('plans a network with normalised options and no bridge, so core installs no firewall rules', () => {
    const plan = driver.planNetwork({ name: 'mv', driver: 'macvlan', internal: false, ipv6: false, options: { parent: 'eth0' }, subnet: '10.250.7.0/24' });
    expect(plan).to.deep.equal({ options: { parent: 'eth0', macvlan_mode: 'bridge' }, driverData: {} });
  });

  it("plans an endpoint with Docker's MAC, the prefix length and the gateway", () => {
    expect(driver.planEndpoint(network(), endpoint())).to.deep.equal({ ...endpoint(), mac: '02:42:0a:fa:07:02', prefixLen: 24, gateway: '10.250.7.1' });
    expect(driver.planEndpoint(network(), endpoint({ mac: '92:D0:C6:0A:29:33' })).mac).to.equal('92:d0:c6:0a:29:33');
  });

  it('refuses an address or a default gateway off the subnet', () => {
    expect(() => driver.planEndpoint(network(), endpoint({ ipv4: '10.9.9.9' }))).to.throw(CtrnetError, /address 10.9.9.9 is outside network mv's subnet 10.250.7.0\/24/);
    expect(() => driver.planEndpoint(network(), endpoint({ defaultGateway: '10.9.9.1' }))).to.throw(CtrnetError, /default gateway 10.9.9.1 is not on network mv's subnet/);
  });

  it('checks that the parent exists when the network is created, naming it', async () => {
    const exec = new RecordingExecutor();
    await driver.createNetwork({ exec, log }, network());
    expect(exec.calls).to.deep.equal([{ kind: 'run', argv: ['ip', '-j', 'link', 'show', 'dev', 'eth0'], netns: undefined, input: undefined }]);
    const missing = new RecordingExecutor(() => {
      throw new ExecError(['ip', '-j', 'link', 'show', 'dev', 'eth9'], 1, 'Device "eth9" does not exist.');
    });
    const err = await driver.createNetwork({ exec: missing, log }, network({ options: { parent: 'eth9', macvlan_mode: 'bridge' } })).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INVALID_ARGUMENT');
    expect((err as Error).message).to.equal('parent interface "eth9" of macvlan network mv does not exist; give -o parent= an existing host interface (see: ip link show)');
  });

  it('joins in two batches: create and move in the host, rename, address and route in the sandbox', async () => {
    const exec = new RecordingExecutor();
    const planned = driver.planEndpoint(network(), endpoint());
    await driver.join({ exec, log }, network(), planned, SANDBOX);
    expect(exec.calls.map((c) => c.kind === 'ip' && c.netns)).to.deep.equal([undefined, SANDBOX.netnsPath]);
    expect(exec.ipLines()).to.deep.equal([
      'link add link eth0 name mvfeedc0ffee012 address 02:42:0a:fa:07:02 type macvlan mode bridge',
      `link set mvfeedc0ffee012 netns ${SANDBOX.netnsPath}`,
      'link set mvfeedc0ffee012 name eth0',
      'addr add 10.250.7.2/24 broadcast + dev eth0',
      'link set eth0 up',
      'route replace default via 10.250.7.1 dev eth0',
    ]);
  });

  it('leaves idempotently, in the host and the sandbox', async () => {
    const exec = new RecordingExecutor();
    await driver.leave({ exec, log }, network(), endpoint({ ifname: 'eth1' }), SANDBOX);
    expect(exec.calls).to.deep.equal([
      { kind: 'ip', commands: [['link', 'del', 'mvfeedc0ffee012']], netns: undefined, ignoreMissing: true },
      { kind: 'ip', commands: [['link', 'del', 'eth1'], ['link', 'del', 'mvfeedc0ffee012']], netns: SANDBOX.netnsPath, ignoreMissing: true },
    ]);
  });

  it("never aims a sandbox command at the host's own namespace", async () => {
    const exec = new RecordingExecutor();
    for (const netnsPath of ['', 'relative/path', '/run/netns/with space']) {
      const err = await driver.leave({ exec, log }, network(), endpoint(), { ...SANDBOX, netnsPath }).catch((e: unknown) => e);
      expect(err, JSON.stringify(netnsPath)).to.be.instanceOf(CtrnetError).with.property('code', 'INTERNAL');
    }
    expect(exec.calls).to.deep.equal([]);
  });
});
