import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, RecordingExecutor, Registry, EventBus, definePlugin, type NetworkRules, type PortBinding, type PortPublisher } from '../src/index.js';

const ID = 'ab'.repeat(32);
const NET: NetworkRules = { networkId: ID, bridge: 'br0', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false, icc: true, masquerade: true };
const PORT: PortBinding = { containerId: ID, networkId: ID, bridge: 'br0', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 };

/** A publisher that records which methods reached it. */
function spy(reached: string[]): PortPublisher {
  const record = (name: string) => async () => void reached.push(name);
  return {
    name: 'spy',
    probe: async () => ({ usable: true, reason: 'spy' }),
    addNetwork: record('addNetwork'),
    removeNetwork: record('removeNetwork'),
    publish: record('publish'),
    unpublish: record('unpublish'),
    addLink: record('addLink'),
    removeLink: record('removeLink'),
    reload: record('reload'),
    reset: record('reset'),
    describe: async () => '',
    check: async () => [],
  };
}

describe('firewall inputs are checked once, in core, for every publisher', () => {
  let reached: string[];
  let publisher: PortPublisher;
  const ctx = { exec: new RecordingExecutor(), log: createDebug('test') };
  beforeEach(async () => {
    reached = [];
    const registry = new Registry(new EventBus());
    await registry.register(definePlugin({ name: 'spy', coreVersion: '^0.2.0', register: (api) => api.registerPortPublisher(spy(reached)) }), 'spy');
    publisher = registry.portPublisher('spy');
  });

  const refused = async (work: Promise<unknown>, pattern: RegExp) => {
    const err = await work.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(CtrnetError);
    expect((err as CtrnetError).code).to.equal('INVALID_ARGUMENT');
    expect((err as CtrnetError).message).to.match(pattern);
    expect(reached, 'the publisher was not called').to.deep.equal([]);
  };

  it('passes valid input through', async () => {
    await publisher.addNetwork(ctx, NET);
    await publisher.publish(ctx, [PORT]);
    expect(reached).to.deep.equal(['addNetwork', 'publish']);
  });

  it('refuses an interface name with a blank', () => refused(publisher.addNetwork(ctx, { ...NET, bridge: 'br 0' }), /interface "br 0" is not a valid interface name/));
  it('refuses a gateway outside the subnet', () => refused(publisher.addNetwork(ctx, { ...NET, gateway: '10.2.0.1' }), /gateway 10.2.0.1 lies outside subnet 10.1.0.0\/24/));
  it('refuses an id that is not hex', () => refused(publisher.addNetwork(ctx, { ...NET, networkId: 'n1; drop' }), /network id "n1; drop" is not 12-64 lower-case hex/));
  it('refuses a host address that is not IPv4', () => refused(publisher.publish(ctx, [{ ...PORT, hostIp: '::1' }]), /host IP "::1" is not an IPv4 address/));
  it('refuses port 0', () => refused(publisher.publish(ctx, [{ ...PORT, hostPort: 0 }]), /host port 0 is not a port number/));
  it('refuses an unknown protocol', () => refused(publisher.unpublish(ctx, [{ ...PORT, protocol: 'icmp' as 'tcp' }]), /protocol "icmp" is not one of tcp, udp, sctp/));
  it('checks the whole state of a reload before any of it', () => refused(publisher.reload(ctx, { networks: [NET], ports: [{ ...PORT, containerIp: 'x' }], links: [] }), /container IP "x"/));
});
