import { expect } from 'chai';
import createDebug from 'debug';
import { CtrnetError, ExecError, RecordingExecutor, type NetworkDriver, type PluginContext } from '@ctrnet/core';
import plugin, { BridgeDriver } from '../src/index.js';
import { ENDPOINT_ID, NETWORK_ID, POOL6, endpoint, network, sandbox } from './fixtures.js';

const log = createDebug('ctrnet:test');
const driver: NetworkDriver = new BridgeDriver();
const NETNS = '/run/netns/ctrnet-cccccccccccc';

/** An executor whose `ip -j -d link show` says the bridge is missing, or returns `links`. */
function executor(links?: unknown[]): RecordingExecutor {
  return new RecordingExecutor((argv) => {
    if (argv.includes('show')) {
      if (!links) throw new ExecError(['ip', ...argv.slice(1)], 1, `Device "${argv.at(-1)}" does not exist.\n`);
      return { stdout: JSON.stringify(links) };
    }
    return {};
  });
}

function ctx(exec: RecordingExecutor): PluginContext {
  return { exec, log };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    return (err as CtrnetError).code;
  }
  throw new Error('expected a CtrnetError');
}

describe('BridgeDriver', () => {
  it('is what the plugin registers, with the bridge traits', async () => {
    const registered: unknown[] = [];
    await plugin.register({ registerNetworkDriver: (d: unknown) => registered.push(d) } as never);
    expect(plugin.name).to.equal('@ctrnet/driver-bridge');
    expect(registered).to.have.length(1);
    expect(registered[0]).to.be.instanceOf(BridgeDriver);
    expect(driver).to.include({ name: 'bridge', sandbox: 'own', usesIpam: true, ipv6: true, ports: 'publish', userDefined: true });
    expect(driver.refusedRunOptions).to.equal(undefined);
  });

  describe('planNetwork', () => {
    const request = { name: 'front', driver: 'bridge', internal: false, ipv6: false };

    it('names the bridge ctr- + 11 chars of the id and fills default options', () => {
      expect(driver.planNetwork({ ...request, options: {} }, NETWORK_ID)).to.deep.equal({
        options: { icc: 'true', masquerade: 'true', host_binding_ipv4: '0.0.0.0' },
        driverData: { bridge: 'ctr-a1b2c3d4e5f' },
      });
    });

    it('uses bridge_name, given under either key', () => {
      const plan = driver.planNetwork({ ...request, options: { 'com.docker.network.bridge.name': 'ctrnet0', mtu: '1400' } }, NETWORK_ID);
      expect(plan).to.deep.equal({
        options: { bridge_name: 'ctrnet0', mtu: '1400', icc: 'true', masquerade: 'true', host_binding_ipv4: '0.0.0.0' },
        driverData: { bridge: 'ctrnet0' },
      });
    });

    it('refuses bad options as INVALID_ARGUMENT', () => {
      expect(codeOf(() => driver.planNetwork({ ...request, options: { foo: 'bar' } }, NETWORK_ID))).to.equal('INVALID_ARGUMENT');
      expect(codeOf(() => driver.planNetwork({ ...request, options: { bridge_name: 'x'.repeat(16) } }, NETWORK_ID))).to.equal('INVALID_ARGUMENT');
    });

    it('refuses a network id that cannot make an interface name', () => {
      expect(codeOf(() => driver.planNetwork({ ...request, options: {} }, 'a b'))).to.equal('INTERNAL');
    });

    it('keeps gateway modes under their short keys, with no stored default', () => {
      const plan = driver.planNetwork({ ...request, ipv6: true, options: { 'com.docker.network.bridge.gateway_mode_ipv6': 'routed', gateway_mode_ipv4: 'nat-unprotected' } }, NETWORK_ID);
      expect(plan.options).to.include({ gateway_mode_ipv4: 'nat-unprotected', gateway_mode_ipv6: 'routed' });
      expect(driver.planNetwork({ ...request, options: {} }, NETWORK_ID).options).to.not.have.any.keys('gateway_mode_ipv4', 'gateway_mode_ipv6');
    });

    for (const [why, req] of [
      ['an unknown gateway mode', { ...request, ipv6: true, options: { gateway_mode_ipv6: 'bridged' } }],
      ['an IPv6 gateway mode without --ipv6', { ...request, options: { gateway_mode_ipv6: 'nat' } }],
      ['an IPv4 gateway mode on an IPv6-only network', { ...request, ipv4: false, ipv6: true, options: { gateway_mode_ipv4: 'routed' } }],
      ['isolated without --internal', { ...request, ipv6: true, options: { gateway_mode_ipv6: 'isolated' } }],
      ['an MTU below 1280 with IPv6', { ...request, ipv6: true, options: { mtu: '1279' } }],
    ] as const) {
      it(`refuses ${why}`, () => expect(codeOf(() => driver.planNetwork(req, NETWORK_ID))).to.equal('INVALID_ARGUMENT'));
    }

    it('accepts isolated on an internal network and a small MTU without IPv6', () => {
      expect(driver.planNetwork({ ...request, internal: true, ipv6: true, options: { gateway_mode_ipv6: 'isolated' } }, NETWORK_ID).options.gateway_mode_ipv6).to.equal('isolated');
      expect(driver.planNetwork({ ...request, options: { mtu: '1000' } }, NETWORK_ID).options.mtu).to.equal('1000');
    });
  });

  describe('firewall', () => {
    const bridge = driver as BridgeDriver;
    it('describes an IPv4 network as before', () => {
      expect(bridge.firewall(network())).to.deep.equal({
        device: 'ctr-a1b2c3d4e5f',
        subnet: '10.250.1.0/24',
        gateway: '10.250.1.1',
        icc: true,
        masquerade: true,
        defaultHostIp: '0.0.0.0',
      });
    });

    it('describes both families with their gateway modes; isolated has no gateway', () => {
      const dual = network({ ipv6: true, pool6: POOL6, internal: true, options: { ...network().options, gateway_mode_ipv4: 'routed', gateway_mode_ipv6: 'isolated' } });
      expect(bridge.firewall(dual)).to.deep.include({ subnet: '10.250.1.0/24', gateway: '10.250.1.1', gatewayMode: 'routed', subnet6: 'fd00:1::/64', gatewayMode6: 'isolated' });
      expect(bridge.firewall(dual)).to.not.have.property('gateway6');
      expect(bridge.firewall(network({ pool: undefined, ipv4: false, ipv6: true, pool6: POOL6 }))).to.not.have.any.keys('subnet', 'gateway');
    });

    it('has nothing to say about a network without pools', () => {
      expect(bridge.firewall(network({ pool: undefined }))).to.equal(undefined);
    });
  });

  describe('createNetwork', () => {
    it('adds the bridge with a MAC of its own (stable as ports come and go) and its gateway address, brings it up and enables forwarding', async () => {
      const exec = executor();
      await driver.createNetwork(ctx(exec), network());
      expect(exec.calls).to.deep.equal([
        { kind: 'run', argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'ctr-a1b2c3d4e5f'], netns: undefined, input: undefined },
        { kind: 'ip', commands: [['link', 'add', 'ctr-a1b2c3d4e5f', 'address', '02:a1:b2:c3:d4:e5', 'type', 'bridge']], netns: undefined, ignoreMissing: false },
        { kind: 'run', argv: ['sysctl', '-eqw', 'net/ipv6/conf/ctr-a1b2c3d4e5f/disable_ipv6=1', 'net/ipv4/ip_forward=1'], netns: undefined, input: undefined },
        {
          kind: 'ip',
          commands: [
            ['addr', 'replace', '10.250.1.1/24', 'broadcast', '+', 'dev', 'ctr-a1b2c3d4e5f'],
            ['link', 'set', 'ctr-a1b2c3d4e5f', 'up'],
          ],
          netns: undefined,
          ignoreMissing: false,
        },
      ]);
    });

    it('turns IPv6 and IPv6 forwarding on for a dual-stack bridge, before adding its address without DAD', async () => {
      const exec = executor();
      await driver.createNetwork(ctx(exec), network({ ipv6: true, pool6: POOL6 }));
      expect(exec.calls.slice(2).map((c) => (c.kind === 'run' ? c.argv.join(' ') : c.kind === 'ip' ? c.commands.map((l) => l.join(' ')) : ''))).to.deep.equal([
        'sysctl -qw net/ipv6/conf/ctr-a1b2c3d4e5f/disable_ipv6=0 net/ipv4/ip_forward=1 net/ipv6/conf/all/forwarding=1',
        ['addr replace 10.250.1.1/24 broadcast + dev ctr-a1b2c3d4e5f', 'addr replace fd00:1::1/64 dev ctr-a1b2c3d4e5f nodad', 'link set ctr-a1b2c3d4e5f up'],
      ]);
    });

    it('gives an IPv6-only bridge no IPv4 and no IPv4 forwarding, and an isolated family no address', async () => {
      const v6only = executor();
      await driver.createNetwork(ctx(v6only), network({ pool: undefined, ipv4: false, ipv6: true, pool6: POOL6 }));
      expect(v6only.calls.map((c) => (c.kind === 'run' ? c.argv.join(' ') : '')).filter((l) => l.startsWith('sysctl'))).to.deep.equal([
        'sysctl -qw net/ipv6/conf/ctr-a1b2c3d4e5f/disable_ipv6=0 net/ipv6/conf/all/forwarding=1',
      ]);
      expect(v6only.ipLines()).to.deep.equal(['link add ctr-a1b2c3d4e5f address 02:a1:b2:c3:d4:e5 type bridge', 'addr replace fd00:1::1/64 dev ctr-a1b2c3d4e5f nodad', 'link set ctr-a1b2c3d4e5f up']);
      const isolated = executor();
      await driver.createNetwork(ctx(isolated), network({ internal: true, ipv6: true, pool6: POOL6, options: { ...network().options, gateway_mode_ipv6: 'isolated' } }));
      expect(isolated.ipLines().filter((l) => l.startsWith('addr'))).to.deep.equal(['addr replace 10.250.1.1/24 broadcast + dev ctr-a1b2c3d4e5f']);
    });

    it('sets the MTU on a new bridge', async () => {
      const exec = executor();
      await driver.createNetwork(ctx(exec), network({ options: { mtu: '1400' } }));
      expect(exec.ipLines()).to.deep.equal([
        'link add ctr-a1b2c3d4e5f address 02:a1:b2:c3:d4:e5 mtu 1400 type bridge',
        'addr replace 10.250.1.1/24 broadcast + dev ctr-a1b2c3d4e5f',
        'link set ctr-a1b2c3d4e5f mtu 1400 up',
      ]);
    });

    it('only re-asserts address, MTU and state when the bridge exists', async () => {
      const exec = executor([{ ifname: 'ctrnet0', linkinfo: { info_kind: 'bridge' } }]);
      await driver.createNetwork(ctx(exec), network({ driverData: { bridge: 'ctrnet0' }, pool: { subnet: '172.17.0.0/16', gateway: '172.17.0.1' } }));
      expect(exec.ipLines()).to.deep.equal(['addr replace 172.17.0.1/16 broadcast + dev ctrnet0', 'link set ctrnet0 up']);
    });

    it('gives an internal network its bridge and gateway too', async () => {
      const exec = executor();
      await driver.createNetwork(ctx(exec), network({ internal: true }));
      expect(exec.ipLines()).to.include('addr replace 10.250.1.1/24 broadcast + dev ctr-a1b2c3d4e5f');
    });

    it('refuses to take over an interface that is not a bridge', async () => {
      const exec = executor([{ ifname: 'eth0' }]);
      const err = await driver.createNetwork(ctx(exec), network({ driverData: { bridge: 'eth0' } })).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'CONFLICT');
      expect((err as Error).message).to.contain('eth0');
      expect(exec.calls.filter((c) => c.kind === 'ip')).to.deep.equal([]);
    });

    it('passes on probe failures other than "does not exist"', async () => {
      const exec = new RecordingExecutor(() => {
        throw new ExecError(['ip'], 255, 'Cannot open netlink socket: Permission denied');
      });
      const err = await driver.createNetwork(ctx(exec), network()).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ExecError);
    });

    it('needs the driver data and the pool it planned', async () => {
      for (const broken of [network({ driverData: {} }), network({ pool: undefined, pool6: undefined })]) {
        const err = await driver.createNetwork(ctx(executor()), broken).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INTERNAL');
      }
    });
  });

  describe('deleteNetwork', () => {
    const show = { kind: 'run', argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'ctr-a1b2c3d4e5f'], netns: undefined, input: undefined };

    const ports = { kind: 'run', argv: ['ip', '-j', 'link', 'show', 'master', 'ctr-a1b2c3d4e5f'], netns: undefined, input: undefined };

    it('deletes the bridge, tolerating its absence', async () => {
      const exec = executor([{ ifname: 'ctr-a1b2c3d4e5f', linkinfo: { info_kind: 'bridge' } }]);
      await driver.deleteNetwork(ctx(exec), network());
      expect(exec.calls).to.deep.equal([show, ports, { kind: 'ip', commands: [['link', 'del', 'ctr-a1b2c3d4e5f']], netns: undefined, ignoreMissing: true }]);
    });

    it('first deletes veths still on the bridge (cut off, their namespace held by someone), and nothing else on it', async () => {
      const exec = new RecordingExecutor((argv) => {
        if (argv.includes('master')) return { stdout: JSON.stringify([{ ifname: 'vcfeedc0ffee012' }, { ifname: 'eth9' }]) };
        return { stdout: JSON.stringify([{ ifname: 'ctr-a1b2c3d4e5f', linkinfo: { info_kind: 'bridge' } }]) };
      });
      await driver.deleteNetwork(ctx(exec), network());
      expect(exec.ipLines()).to.deep.equal(['link del vcfeedc0ffee012', 'link del ctr-a1b2c3d4e5f']);
    });

    it('leaves a device that is not a bridge alone (the undo of a create refused for -o bridge_name=lo)', async () => {
      const exec = executor([{ ifname: 'ctr-a1b2c3d4e5f' }]);
      await driver.deleteNetwork(ctx(exec), network());
      expect(exec.calls).to.deep.equal([show]);
    });
  });

  describe('planEndpoint', () => {
    it('chooses the veth name, the derived MAC, prefix and gateway', () => {
      expect(driver.planEndpoint(network(), endpoint())).to.deep.equal({
        ...endpoint(),
        hostIfname: 'vcfeedc0ffee012',
        mac: '02:42:0a:fa:01:02',
        prefixLen: 24,
        gateway: '10.250.1.1',
      });
      expect(`vc${ENDPOINT_ID.slice(0, 13)}`).to.equal('vcfeedc0ffee012').with.length(15);
    });

    it('plans a dual-stack endpoint: both prefixes and gateways, the MAC from the IPv4 address', () => {
      const planned = driver.planEndpoint(network({ ipv6: true, pool6: POOL6 }), endpoint({ ipv6: 'fd00:1::2' }));
      expect(planned).to.include({ mac: '02:42:0a:fa:01:02', prefixLen: 24, gateway: '10.250.1.1', ipv6: 'fd00:1::2', prefixLen6: 64, gateway6: 'fd00:1::1' });
    });

    it('plans an IPv6-only endpoint with a MAC from its id and no IPv4 fields', () => {
      const planned = driver.planEndpoint(network({ pool: undefined, ipv4: false, ipv6: true, pool6: POOL6 }), endpoint({ ipv4: undefined, ipv6: 'fd00:1::2' }));
      expect(planned.mac).to.equal('02:fe:ed:c0:ff:ee');
      expect(planned).to.not.have.any.keys('prefixLen', 'gateway');
    });

    it('refuses IPv6 addresses outside the IPv6 subnet, and a missing one', () => {
      const dual = network({ ipv6: true, pool6: POOL6 });
      expect(codeOf(() => driver.planEndpoint(dual, endpoint({ ipv6: 'fd00:2::2' })))).to.equal('INVALID_ARGUMENT');
      expect(codeOf(() => driver.planEndpoint(dual, endpoint()))).to.equal('INTERNAL');
    });

    it('keeps a given MAC, normalised', () => {
      expect(driver.planEndpoint(network(), endpoint({ mac: '92:D0:C6:0A:29:33' })).mac).to.equal('92:d0:c6:0a:29:33');
    });

    it('accepts a default gateway on the subnet', () => {
      expect(driver.planEndpoint(network(), endpoint({ defaultGateway: '10.250.1.254' })).defaultGateway).to.equal('10.250.1.254');
    });

    it('refuses bad user input as INVALID_ARGUMENT', () => {
      for (const bad of [
        endpoint({ mac: '01:00:5e:00:00:01' }),
        endpoint({ mac: 'nonsense' }),
        endpoint({ ipv4: '10.250.2.2' }),
        endpoint({ ipv4: '10.250.1.300' }),
        endpoint({ defaultGateway: '10.250.2.1' }),
        endpoint({ defaultGateway: 'gw' }),
        endpoint({ defaultGateway: '10.250.1.2' }),
      ]) {
        expect(codeOf(() => driver.planEndpoint(network(), bad)), JSON.stringify(bad)).to.equal('INVALID_ARGUMENT');
      }
    });

    it('refuses what only a caller bug produces as INTERNAL', () => {
      for (const [net, ep] of [
        [network(), endpoint({ ipv4: undefined })],
        [network({ pool: undefined }), endpoint()],
        [network({ ipv6: true, pool6: POOL6 }), endpoint()],
        [network(), endpoint({ ifname: 'eth 0' })],
        [network(), endpoint({ id: 'not-hex' })],
      ] as const) {
        expect(codeOf(() => driver.planEndpoint(net, ep))).to.equal('INTERNAL');
      }
    });
  });

  describe('join', () => {
    const planned = (overrides = {}) => driver.planEndpoint(network(), endpoint(overrides));

    it('creates the veth with its peer inside the sandbox, then addresses it there', async () => {
      const exec = executor();
      await driver.join(ctx(exec), network(), planned(), sandbox());
      expect(exec.calls).to.deep.equal([
        {
          kind: 'ip',
          commands: [
            ['link', 'add', 'vcfeedc0ffee012', 'master', 'ctr-a1b2c3d4e5f', 'up', 'type', 'veth', 'peer', 'name', 'eth0', 'address', '02:42:0a:fa:01:02', 'netns', NETNS],
            ['link', 'set', 'vcfeedc0ffee012', 'type', 'bridge_slave', 'hairpin', 'on'],
          ],
          netns: undefined,
          ignoreMissing: false,
        },
        { kind: 'run', argv: ['sysctl', '-eqw', 'net/ipv6/conf/eth0/disable_ipv6=1'], netns: NETNS, input: undefined },
        {
          kind: 'ip',
          commands: [
            ['addr', 'add', '10.250.1.2/24', 'broadcast', '+', 'dev', 'eth0'],
            ['link', 'set', 'eth0', 'up'],
            ['route', 'replace', 'default', 'via', '10.250.1.1', 'dev', 'eth0'],
          ],
          netns: NETNS,
          ignoreMissing: false,
        },
      ]);
    });

    it('gives a dual-stack endpoint both addresses (IPv6 without DAD) and both default routes, RAs ignored', async () => {
      const dual = network({ ipv6: true, pool6: POOL6 });
      const exec = executor();
      await driver.join(ctx(exec), dual, driver.planEndpoint(dual, endpoint({ ipv6: 'fd00:1::2' })), sandbox());
      expect(exec.calls[1]).to.deep.equal({ kind: 'run', argv: ['sysctl', '-qw', 'net/ipv6/conf/eth0/accept_ra=0'], netns: NETNS, input: undefined });
      expect(exec.ipLines().slice(2)).to.deep.equal([
        'addr add 10.250.1.2/24 broadcast + dev eth0',
        'addr add fd00:1::2/64 dev eth0 nodad',
        'link set eth0 up',
        'route replace default via 10.250.1.1 dev eth0',
        'route replace default via fd00:1::1 dev eth0',
      ]);
    });

    it('gives an IPv6-only endpoint its IPv6 address and route only; an internal one no route', async () => {
      const v6only = network({ pool: undefined, ipv4: false, ipv6: true, pool6: POOL6 });
      const exec = executor();
      await driver.join(ctx(exec), v6only, driver.planEndpoint(v6only, endpoint({ ipv4: undefined, ipv6: 'fd00:1::2' })), sandbox());
      expect(exec.ipLines().slice(2)).to.deep.equal(['addr add fd00:1::2/64 dev eth0 nodad', 'link set eth0 up', 'route replace default via fd00:1::1 dev eth0']);
      const internal = { ...v6only, internal: true };
      const quiet = executor();
      await driver.join(ctx(quiet), internal, driver.planEndpoint(internal, endpoint({ ipv4: undefined, ipv6: 'fd00:1::2' })), sandbox());
      expect(quiet.ipLines().filter((l) => l.startsWith('route'))).to.deep.equal([]);
    });

    it('puts the MTU on both veth ends', async () => {
      const exec = executor();
      await driver.join(ctx(exec), network({ options: { mtu: '1400' } }), planned(), sandbox());
      expect(exec.ipLines()[0]).to.equal(
        `link add vcfeedc0ffee012 mtu 1400 master ctr-a1b2c3d4e5f up type veth peer name eth0 mtu 1400 address 02:42:0a:fa:01:02 netns ${NETNS}`,
      );
    });

    it('routes via --default-gateway when given', async () => {
      const exec = executor();
      await driver.join(ctx(exec), network(), planned({ defaultGateway: '10.250.1.254' }), sandbox());
      expect(exec.ipLines()).to.include('route replace default via 10.250.1.254 dev eth0');
    });

    it('adds no default route when the endpoint does not carry it', async () => {
      const exec = executor();
      await driver.join(ctx(exec), network(), planned({ defaultRoute: false, ifname: 'eth1' }), sandbox());
      expect(exec.ipLines().slice(2)).to.deep.equal(['addr add 10.250.1.2/24 broadcast + dev eth1', 'link set eth1 up']);
    });

    it('offers no gateway on an internal network unless --default-gateway asks for one', async () => {
      const internal = network({ internal: true });
      const plain = executor();
      await driver.join(ctx(plain), internal, planned(), sandbox());
      expect(plain.ipLines().filter((l) => l.startsWith('route'))).to.deep.equal([]);
      const explicit = executor();
      await driver.join(ctx(explicit), internal, planned({ defaultGateway: '10.250.1.254' }), sandbox());
      expect(explicit.ipLines()).to.include('route replace default via 10.250.1.254 dev eth0');
    });

    it('refuses an unplanned endpoint or an unsafe sandbox path without touching the kernel', async () => {
      const exec = executor();
      for (const [ep, sb] of [
        [endpoint(), sandbox()],
        [planned(), sandbox({ netnsPath: 'relative/path' })],
        [planned(), sandbox({ netnsPath: '/run/netns/a b' })],
      ] as const) {
        const err = await driver.join(ctx(exec), network(), ep, sb).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(CtrnetError).with.property('code', 'INTERNAL');
      }
      expect(exec.calls).to.deep.equal([]);
    });
  });

  describe('leave', () => {
    it('deletes the host end of the pair, tolerating its absence', async () => {
      const exec = executor();
      await driver.leave(ctx(exec), network(), driver.planEndpoint(network(), endpoint()), sandbox());
      expect(exec.calls).to.deep.equal([{ kind: 'ip', commands: [['link', 'del', 'vcfeedc0ffee012']], netns: undefined, ignoreMissing: true }]);
    });

    it('only sets the host end down when the sandbox is going: the pair dies with the namespace, without an RCU wait', async () => {
      const exec = executor();
      await driver.leave(ctx(exec), network(), driver.planEndpoint(network(), endpoint()), sandbox(), { sandboxGoing: true });
      expect(exec.calls).to.deep.equal([{ kind: 'ip', commands: [['link', 'set', 'vcfeedc0ffee012', 'down']], netns: undefined, ignoreMissing: true }]);
    });

    it('derives the veth name when the endpoint was never planned', async () => {
      const exec = executor();
      await driver.leave(ctx(exec), network(), endpoint(), sandbox());
      expect(exec.ipLines()).to.deep.equal(['link del vcfeedc0ffee012']);
    });
  });
});
