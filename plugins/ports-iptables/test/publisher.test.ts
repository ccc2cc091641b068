import { expect } from 'chai';
import { ExecError, RecordingExecutor } from '@ctrnet/core';
import { containerUnits, linkUnit, networkUnit } from '../src/layout.js';
import { installPayload, removePayload, renderPayload } from '../src/payload.js';
import { IptablesPublisher } from '../src/publisher.js';
import plugin from '../src/index.js';
import { BINDING, CONTAINER_CHAIN, contextFor, FakeIptables, LINK, NET_CHAIN, NETWORK } from './fixtures.js';

/** The base layout and one published container, as iptables-save prints them. */
const SAVED_BASE = `*raw
:PREROUTING ACCEPT [0:0]
:CTRNET-RAW - [0:0]
-A PREROUTING -m comment --comment ctrnet -j CTRNET-RAW
COMMIT
*filter
:FORWARD ACCEPT [0:0]
:CTRNET-USER - [0:0]
:CTRNET-FORWARD - [0:0]
:CTRNET-LINKS - [0:0]
-A FORWARD -m comment --comment ctrnet -j CTRNET-USER
-A FORWARD -m comment --comment ctrnet -j CTRNET-FORWARD
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CTRNET-DNAT - [0:0]
:CTRNET-POSTROUTING - [0:0]
:${CONTAINER_CHAIN} - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT
-A POSTROUTING -m comment --comment ctrnet -j CTRNET-POSTROUTING
-A CTRNET-DNAT -m comment --comment "ctrnet container cccccccccccc network aaaaaaaaaaaa" -j ${CONTAINER_CHAIN}
COMMIT
`;

describe('IptablesPublisher', () => {
  it('is registered by the plugin under the name iptables', () => {
    const names: string[] = [];
    void plugin.register({ registerPortPublisher: (p: { name: string }) => names.push(p.name) } as never);
    expect(plugin.name).to.equal('@ctrnet/ports-iptables');
    expect(names).to.deep.equal(['iptables']);
  });

  describe('probe', () => {
    it('is usable when iptables-restore answers --version', async () => {
      const exec = new FakeIptables();
      expect(await new IptablesPublisher().probe(contextFor(exec))).to.deep.equal({ usable: true, reason: 'iptables-restore v1.8.9 (nf_tables) answers' });
      expect(exec.runs()).to.deep.equal(['iptables-restore --version']);
    });

    it('says why when it does not', async () => {
      const exec = new RecordingExecutor();
      exec.run = async (argv) => {
        throw new ExecError(argv, 127, 'nsenter: failed to execute iptables-legacy-restore: No such file or directory');
      };
      const result = await new IptablesPublisher({ variant: 'legacy' }).probe(contextFor(exec));
      expect(result.usable).to.equal(false);
      expect(result.reason).to.match(/^iptables-legacy-restore --version failed: .*No such file/);
    });
  });

  describe('addNetwork', () => {
    it('turns on route_localnet, then installs the network in one payload', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().addNetwork(contextFor(exec), NETWORK);
      expect(exec.calls.map((c) => c.kind)).to.deep.equal(['run', 'iptables-restore']);
      expect(exec.runs()).to.deep.equal(['sysctl -qw net/ipv4/conf/br-t/route_localnet=1']);
      expect(exec.payloads()).to.deep.equal([renderPayload(installPayload([networkUnit(NETWORK)!]))]);
    });

    it('leaves route_localnet alone for an internal network', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().addNetwork(contextFor(exec), { ...NETWORK, internal: true });
      expect(exec.runs()).to.deep.equal([]);
    });

    it('when the optimistic payload fails, reads iptables-save once and applies an exact payload with the base', async () => {
      const exec = new FakeIptables(1, '');
      await new IptablesPublisher().addNetwork(contextFor(exec), NETWORK);
      expect(exec.runs()).to.deep.equal(['sysctl -qw net/ipv4/conf/br-t/route_localnet=1', 'iptables-save']);
      const [, exact] = exec.payloads();
      expect(exact).to.include(':CTRNET-FORWARD - [0:0]\n');
      expect(exact).to.include('-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-USER\n');
      expect(exact).to.include(`:${NET_CHAIN} - [0:0]\n`);
    });
  });

  describe('removeNetwork', () => {
    it('removes the network in one payload', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().removeNetwork(contextFor(exec), NETWORK);
      expect(exec.payloads()).to.deep.equal([renderPayload(removePayload([networkUnit(NETWORK)!]))]);
    });

    it('is a no-op beyond one iptables-save when nothing is there', async () => {
      const exec = new FakeIptables(1, '');
      await new IptablesPublisher().removeNetwork(contextFor(exec), NETWORK);
      expect(exec.calls.map((c) => c.kind)).to.deep.equal(['iptables-restore', 'run']);
    });
  });

  describe('publish and unpublish', () => {
    it('publish costs exactly one iptables-restore and no listing', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().publish(contextFor(exec), [BINDING]);
      expect(exec.calls.map((c) => c.kind)).to.deep.equal(['iptables-restore']);
      expect(exec.payloads()).to.deep.equal([renderPayload(installPayload(containerUnits([BINDING])))]);
    });

    it('unpublish costs exactly one iptables-restore', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().unpublish(contextFor(exec), [BINDING]);
      expect(exec.payloads()).to.deep.equal([renderPayload(removePayload(containerUnits([BINDING])))]);
    });

    it('a repeated publish refreshes the chain without adding a second jump', async () => {
      const exec = new FakeIptables(1, SAVED_BASE);
      await new IptablesPublisher().publish(contextFor(exec), [BINDING]);
      expect(exec.payloads()[1]).to.equal(
        [
          '*nat',
          `:${CONTAINER_CHAIN} - [0:0]`,
          `-A ${CONTAINER_CHAIN} -s 127.0.0.0/8 -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x2000/0x2000`,
          `-A ${CONTAINER_CHAIN} -i br-t -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x2000/0x2000`,
          `-A ${CONTAINER_CHAIN} -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.250.2.2:80`,
          'COMMIT',
          '',
        ].join('\n'),
      );
    });

    it('a repeated unpublish finds nothing to remove', async () => {
      const exec = new FakeIptables(1, SAVED_BASE.replace(/.*CTRNET-C-.*\n/g, ''));
      await new IptablesPublisher().unpublish(contextFor(exec), [BINDING]);
      expect(exec.payloads()).to.have.length(1);
    });

    it('does nothing for no bindings', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().publish(contextFor(exec), []);
      await new IptablesPublisher().unpublish(contextFor(exec), []);
      expect(exec.calls).to.deep.equal([]);
    });

  });

  describe('links', () => {
    it('addLink and removeLink each apply one payload', async () => {
      const exec = new FakeIptables();
      await new IptablesPublisher().addLink(contextFor(exec), LINK);
      await new IptablesPublisher().removeLink(contextFor(exec), LINK);
      expect(exec.payloads()).to.deep.equal([renderPayload(installPayload([linkUnit(LINK)])), renderPayload(removePayload([linkUnit(LINK)]))]);
    });
  });

  describe('reload, reset, describe', () => {
    it('reload reads the ruleset once and rewrites it in one payload', async () => {
      const exec = new FakeIptables(0, SAVED_BASE);
      await new IptablesPublisher().reload(contextFor(exec), { networks: [NETWORK], ports: [BINDING], links: [] });
      expect(exec.runs()).to.deep.equal(['sysctl -qw net/ipv4/conf/br-t/route_localnet=1', 'iptables-save', 'ip6tables-save']);
      const [payload] = exec.payloads();
      expect(payload).to.include(`:${CONTAINER_CHAIN} - [0:0]\n`);
      expect(payload).to.include(`:${NET_CHAIN} - [0:0]\n`);
      // Built-in jumps already in place stay where they are.
      expect(payload).to.not.include('-I PREROUTING');
      expect(payload).to.not.include('-I FORWARD');
    });

    it('reset removes what iptables-save shows, and does nothing on a clean ruleset', async () => {
      const exec = new FakeIptables(0, SAVED_BASE);
      await new IptablesPublisher().reset(contextFor(exec));
      expect(exec.payloads()[0]).to.include('-X CTRNET-DNAT\n');
      const clean = new FakeIptables(0, '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n');
      await new IptablesPublisher().reset(contextFor(clean));
      expect(clean.payloads()).to.deep.equal([]);
    });

    it('describe shows the ctrnet part of iptables-save', async () => {
      const text = await new IptablesPublisher().describe(contextFor(new FakeIptables(0, SAVED_BASE)));
      expect(text.split('\n')[0]).to.equal('*raw');
      expect(text).to.include(`-A CTRNET-DNAT -m comment --comment "ctrnet container cccccccccccc network aaaaaaaaaaaa" -j ${CONTAINER_CHAIN}`);
    });
  });

  describe('legacy variant', () => {
    it('runs iptables-legacy-restore and iptables-legacy-save', async () => {
      const exec = new FakeIptables(0, '');
      const publisher = new IptablesPublisher({ variant: 'legacy' });
      await publisher.publish(contextFor(exec), [BINDING]);
      await publisher.reset(contextFor(exec));
      expect(exec.calls).to.deep.equal([
        { kind: 'run', argv: ['iptables-legacy-restore', '-w', '--noflush'], netns: undefined, input: renderPayload(installPayload(containerUnits([BINDING]))) },
        { kind: 'run', argv: ['iptables-legacy-save'], netns: undefined, input: undefined },
        { kind: 'run', argv: ['ip6tables-legacy-save'], netns: undefined, input: undefined },
      ]);
    });

    it('resets and reloads IPv4 on a host whose IPv6 ruleset cannot be read (no ip6tables, no IPv6 in the kernel)', async () => {
      const exec = new FakeIptables(0, SAVED_BASE);
      const run = exec.run.bind(exec);
      exec.run = async (argv, options) => {
        if (argv[0] === 'ip6tables-save') throw new ExecError([...argv], 3, "ip6tables-save v1.8.9 (nf_tables): Failed to initialize nft: Protocol not supported");
        return run(argv, options);
      };
      const publisher = new IptablesPublisher();
      await publisher.reset(contextFor(exec));
      await publisher.reload(contextFor(exec), { networks: [NETWORK], ports: [], links: [] });
      expect(exec.payloads()).to.have.length(2);
    });

    it('mirrors a dual-stack network into ip6tables: one restore per family', async () => {
      const exec = new FakeIptables();
      const dual = { ...NETWORK, subnet6: 'fd00:2::/64', gateway6: 'fd00:2::1' };
      await new IptablesPublisher().addNetwork(contextFor(exec), dual);
      expect(exec.calls.filter((c) => c.kind === 'iptables-restore').map((c) => (c.kind === 'iptables-restore' ? c.family : 0))).to.deep.equal([4, 6]);
      expect(exec.payloads()[1]).to.include('-A CTRNET-N-aaaaaaaaaaaa -d fd00:2::/64 ! -i br-t -m addrtype ! --dst-type LOCAL -j DROP');
    });

    it('puts IPv6 ports and links into ip6tables only, and leaves an IPv4-only network out of ip6tables', async () => {
      const exec = new FakeIptables();
      const publisher = new IptablesPublisher();
      await publisher.addNetwork(contextFor(exec), NETWORK);
      await publisher.publish(contextFor(exec), [{ ...BINDING, hostIp: '::', containerIp: 'fd00:2::2' }]);
      await publisher.addLink(contextFor(exec), { containerId: BINDING.containerId, bridge: 'br-t', sourceIp: 'fd00:2::3', targetIp: 'fd00:2::2', ports: [{ port: 80, protocol: 'tcp' }] });
      expect(exec.calls.filter((c) => c.kind === 'iptables-restore').map((c) => (c.kind === 'iptables-restore' ? c.family : 0))).to.deep.equal([4, 6, 6]);
    });
  });
});
