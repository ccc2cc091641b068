import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, RecordingExecutor, Registry, EventBus, definePlugin, type NetworkRules, type PortBinding, type PortPublisher } from '../src/index.js';

const ID = 'ab'.repeat(32);
const NET: NetworkRules = { networkId: ID, bridge: 'br0', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false, icc: true, masquerade: true };
const PORT: PortBinding = { containerId: ID, networkId: ID, bridge: 'br0', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 };
const NET6: NetworkRules = { ...NET, subnet6: 'fd00:1::/64', gateway6: 'fd00:1::1', gatewayMode6: 'nat' };
const PORT6: PortBinding = { ...PORT, hostIp: '::', containerIp: 'fd00:1::2' };

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

  it('passes dual-stack, IPv6-only, isolated and routed input through', async () => {
    const { subnet: _s, gateway: _g, ...v6only } = NET6;
    await publisher.addNetwork(ctx, NET6);
    await publisher.addNetwork(ctx, v6only);
    await publisher.addNetwork(ctx, { ...NET6, internal: true, gateway6: undefined, gatewayMode6: 'isolated' });
    await publisher.publish(ctx, [PORT6, { ...PORT6, hostIp: 'fd00:1::2', hostPort: 80, routed: true }]);
    await publisher.addLink(ctx, { containerId: ID, bridge: 'br0', sourceIp: 'fd00:1::3', targetIp: 'fd00:1::2', ports: [{ port: 80, protocol: 'tcp' }] });
    expect(reached).to.deep.equal(['addNetwork', 'addNetwork', 'addNetwork', 'publish', 'addLink']);
  });

  it('refuses an interface name with a blank', () => refused(publisher.addNetwork(ctx, { ...NET, bridge: 'br 0' }), /interface "br 0" is not a valid interface name/));
  it('refuses a gateway outside the subnet', () => refused(publisher.addNetwork(ctx, { ...NET, gateway: '10.2.0.1' }), /gateway 10.2.0.1 lies outside subnet 10.1.0.0\/24/));
  it('refuses an id that is not hex', () => refused(publisher.addNetwork(ctx, { ...NET, networkId: 'n1; drop' }), /network id "n1; drop" is not 12-64 lower-case hex/));
  it('refuses a host address of the other family', () => refused(publisher.publish(ctx, [{ ...PORT, hostIp: '::1' }]), /host IP ::1 is an IPv6 address, the other side is IPv4/));
  it('refuses an IPv6 address that is not canonical', () => refused(publisher.publish(ctx, [{ ...PORT6, containerIp: 'FD00:1:0::2' }]), /container IP "FD00:1:0::2" is not an IPv4 or canonical IPv6 address/));
  it('refuses a link across families', () =>
    refused(publisher.addLink(ctx, { containerId: ID, bridge: 'br0', sourceIp: '10.1.0.3', targetIp: 'fd00:1::2', ports: [] }), /target IP fd00:1::2 is an IPv6 address/));
  it('refuses an IPv6 subnet with host bits', () => refused(publisher.addNetwork(ctx, { ...NET6, subnet6: 'fd00:1::5/64' }), /subnet6 "fd00:1::5\/64" is not a canonical IPv6 network/));
  it('refuses an IPv6 gateway outside the subnet', () => refused(publisher.addNetwork(ctx, { ...NET6, gateway6: 'fd00:2::1' }), /IPv6 gateway fd00:2::1 lies outside subnet fd00:1::\/64/));
  it('refuses a missing gateway outside isolated mode', () => refused(publisher.addNetwork(ctx, { ...NET6, gateway6: undefined }), /no IPv6 gateway; only gateway mode isolated has none/));
  it('refuses an unknown gateway mode', () => refused(publisher.addNetwork(ctx, { ...NET, gatewayMode: 'bridged' as 'nat' }), /gateway mode "bridged" is not one of nat, nat-unprotected, routed, isolated/));
  it('refuses a network with no subnet at all', () => refused(publisher.addNetwork(ctx, { ...NET, subnet: undefined, gateway: undefined }), /neither an IPv4 nor an IPv6 subnet/));
  it('refuses a routed port not keyed by the container address', () => refused(publisher.publish(ctx, [{ ...PORT6, routed: true }]), /a routed port is keyed by the container's own address/));
  it('refuses port 0', () => refused(publisher.publish(ctx, [{ ...PORT, hostPort: 0 }]), /host port 0 is not a port number/));
  it('refuses an unknown protocol', () => refused(publisher.unpublish(ctx, [{ ...PORT, protocol: 'icmp' as 'tcp' }]), /protocol "icmp" is not one of tcp, udp, sctp/));
  it('checks the whole state of a reload before any of it', () => refused(publisher.reload(ctx, { networks: [NET], ports: [{ ...PORT, containerIp: 'x' }], links: [] }), /container IP "x"/));
});
