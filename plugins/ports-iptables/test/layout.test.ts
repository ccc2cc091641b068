import { expect } from 'chai';
import { baseUnit, containerUnits, linkUnit, networkUnit } from '../src/layout.js';
import type { NetworkRules, PortBinding } from '@ctrnet/core';
import { BINDING, CONTAINER_CHAIN, LINK, NET_CHAIN, NETWORK, OTHER_CONTAINER_ID } from './fixtures.js';

const NET_TAG = ['-m', 'comment', '--comment', 'ctrnet network aaaaaaaaaaaa'];
const CONTAINER_TAG = ['-m', 'comment', '--comment', 'ctrnet container cccccccccccc network aaaaaaaaaaaa'];
const MARK = ['-j', 'MARK', '--set-xmark', '0x2000/0x2000'];

describe('layout', () => {
  describe('baseUnit', () => {
    it('declares the dispatch chains and hooks them into the built-in chains, CTRNET-USER before CTRNET-FORWARD', () => {
      const tag = ['-m', 'comment', '--comment', 'ctrnet'];
      const local = ['-m', 'addrtype', '--dst-type', 'LOCAL'];
      expect(baseUnit()).to.deep.equal({
        chains: [
          { table: 'raw', name: 'CTRNET-RAW', rules: [], dispatch: true },
          { table: 'nat', name: 'CTRNET-DNAT', rules: [], dispatch: true },
          { table: 'nat', name: 'CTRNET-POSTROUTING', rules: [], dispatch: true },
          { table: 'filter', name: 'CTRNET-USER', rules: [], dispatch: true },
          { table: 'filter', name: 'CTRNET-FORWARD', rules: [], dispatch: true },
          { table: 'filter', name: 'CTRNET-LINKS', rules: [], dispatch: true },
        ],
        jumps: [
          { table: 'raw', from: 'PREROUTING', rule: [...tag, '-j', 'CTRNET-RAW'], at: 'top' },
          { table: 'nat', from: 'PREROUTING', rule: [...local, ...tag, '-j', 'CTRNET-DNAT'], at: 'top' },
          { table: 'nat', from: 'OUTPUT', rule: [...local, ...tag, '-j', 'CTRNET-DNAT'], at: 'top' },
          { table: 'nat', from: 'POSTROUTING', rule: [...tag, '-j', 'CTRNET-POSTROUTING'], at: 'top' },
          { table: 'filter', from: 'FORWARD', rule: [...tag, '-j', 'CTRNET-USER'], at: 'top' },
          { table: 'filter', from: 'FORWARD', rule: [...tag, '-j', 'CTRNET-FORWARD'], at: 'top' },
        ],
      });
    });
  });

  describe('networkUnit', () => {
    it('guards, masquerades and forwards a default network', () => {
      expect(networkUnit(NETWORK)).to.deep.equal({
        chains: [
          { table: 'raw', name: 'CTRNET-M-aaaaaaaaaaaa', rules: [['-j', 'MARK', '--set-xmark', '0x4000/0x4000']] },
          {
            table: 'raw',
            name: NET_CHAIN,
            rules: [
              ['-d', '10.250.2.0/24', '!', '-i', 'br-t', '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '-j', 'DROP'],
              ['-d', '127.0.0.0/8', '-i', 'br-t', '-j', 'DROP'],
            ],
          },
          {
            table: 'nat',
            name: NET_CHAIN,
            rules: [
              ['-s', '10.250.2.0/24', '!', '-o', 'br-t', '-j', 'MASQUERADE'],
              ['-o', 'br-t', '-m', 'mark', '--mark', '0x2000/0x2000', '-j', 'MASQUERADE'],
            ],
          },
          {
            table: 'filter',
            name: NET_CHAIN,
            rules: [
              ['-o', 'br-t', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
              ['-o', 'br-t', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT'],
              ['-i', 'br-t', '-o', 'br-t', '-j', 'ACCEPT'],
              ['-o', 'br-t', '-j', 'DROP'],
              ['-i', 'br-t', '-j', 'ACCEPT'],
            ],
          },
        ],
        jumps: [
          { table: 'raw', from: 'CTRNET-RAW', rule: ['-i', 'br-t', ...NET_TAG, '-j', 'CTRNET-M-aaaaaaaaaaaa'], at: 'top' },
          { table: 'raw', from: 'CTRNET-RAW', rule: [...NET_TAG, '-j', NET_CHAIN], at: 'bottom' },
          { table: 'nat', from: 'CTRNET-POSTROUTING', rule: [...NET_TAG, '-j', NET_CHAIN], at: 'bottom' },
          { table: 'filter', from: 'CTRNET-FORWARD', rule: ['-o', 'br-t', ...NET_TAG, '-j', NET_CHAIN], at: 'top' },
          { table: 'filter', from: 'CTRNET-FORWARD', rule: ['-i', 'br-t', ...NET_TAG, '-j', NET_CHAIN], at: 'bottom' },
        ],
      });
    });

    it('with ICC off drops bridge-to-bridge traffic after consulting the links', () => {
      const filter = networkUnit({ ...NETWORK, icc: false })!.chains.find((c) => c.table === 'filter')!;
      expect(filter.rules).to.deep.equal([
        ['-o', 'br-t', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
        ['-o', 'br-t', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT'],
        ['-i', 'br-t', '-o', 'br-t', '-j', 'CTRNET-LINKS'],
        ['-i', 'br-t', '-o', 'br-t', '-j', 'DROP'],
        ['-o', 'br-t', '-j', 'DROP'],
        ['-i', 'br-t', '-j', 'ACCEPT'],
      ]);
    });

    it('for an internal network: no masquerade, no published ports (not even from the host), no egress', () => {
      const unit = networkUnit({ ...NETWORK, internal: true, subnet: '10.250.2.1/24' })!;
      expect(unit.chains.find((c) => c.table === 'nat')!.rules).to.deep.equal([]);
      expect(unit.chains.find((c) => c.table === 'filter')!.rules).to.deep.equal([
        ['-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'DROP'],
        ['-o', 'br-t', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
        ['-i', 'br-t', '-o', 'br-t', '-j', 'ACCEPT'],
        ['-o', 'br-t', '-j', 'DROP'],
        ['-i', 'br-t', '-j', 'DROP'],
      ]);
      // The subnet as iptables-save prints it, so reconciling finds the jump.
      expect(unit.jumps.filter((j) => j.from === 'OUTPUT')).to.deep.equal([
        { table: 'filter', from: 'OUTPUT', rule: ['-d', '10.250.2.0/24', '-m', 'conntrack', '--ctstate', 'DNAT', ...NET_TAG, '-j', NET_CHAIN], at: 'bottom' },
      ]);
    });

    it('without masquerade keeps only the marked-connection masquerade', () => {
      const nat = networkUnit({ ...NETWORK, masquerade: false })!.chains.find((c) => c.table === 'nat')!;
      expect(nat.rules).to.deep.equal([['-o', 'br-t', '-m', 'mark', '--mark', '0x2000/0x2000', '-j', 'MASQUERADE']]);
    });
  });

  describe('containerUnits', () => {
    it('marks localhost and hairpin connections to a 0.0.0.0 port, then DNATs', () => {
      expect(containerUnits([BINDING])).to.deep.equal([
        {
          chains: [
            {
              table: 'nat',
              name: CONTAINER_CHAIN,
              rules: [
                ['-s', '127.0.0.0/8', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', ...MARK],
                ['-i', 'br-t', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', ...MARK],
                ['-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-j', 'DNAT', '--to-destination', '10.250.2.2:80'],
              ],
            },
          ],
          jumps: [{ table: 'nat', from: 'CTRNET-DNAT', rule: [...CONTAINER_TAG, '-j', CONTAINER_CHAIN], at: 'bottom' }],
        },
      ]);
    });

    it('binds a host IP with -d and marks only hairpin for it', () => {
      const [unit] = containerUnits([{ ...BINDING, hostIp: '10.250.8.1', protocol: 'udp', hostPort: 5353, containerPort: 53 }]);
      expect(unit!.chains).to.deep.equal([
        {
          table: 'nat',
          name: CONTAINER_CHAIN,
          rules: [
            ['-d', '10.250.8.1/32', '-i', 'br-t', '-p', 'udp', '-m', 'udp', '--dport', '5353', ...MARK],
            ['-d', '10.250.8.1/32', '-p', 'udp', '-m', 'udp', '--dport', '5353', '-j', 'DNAT', '--to-destination', '10.250.2.2:53'],
          ],
        },
      ]);
    });

    it('guards a 127.0.0.1 port in raw against every interface but lo', () => {
      const [unit] = containerUnits([{ ...BINDING, hostIp: '127.0.0.1' }]);
      expect(unit).to.deep.equal({
        chains: [
          {
            table: 'nat',
            name: CONTAINER_CHAIN,
            rules: [
              ['-s', '127.0.0.0/8', '-d', '127.0.0.1/32', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', ...MARK],
              ['-d', '127.0.0.1/32', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-j', 'DNAT', '--to-destination', '10.250.2.2:80'],
            ],
          },
          { table: 'raw', name: CONTAINER_CHAIN, rules: [['-d', '127.0.0.1/32', '!', '-i', 'lo', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-j', 'DROP']] },
        ],
        jumps: [
          { table: 'nat', from: 'CTRNET-DNAT', rule: [...CONTAINER_TAG, '-j', CONTAINER_CHAIN], at: 'bottom' },
          { table: 'raw', from: 'CTRNET-RAW', rule: [...CONTAINER_TAG, '-j', CONTAINER_CHAIN], at: 'bottom' },
        ],
      });
    });

    it('makes one unit per container and network, in first-seen order', () => {
      const units = containerUnits([BINDING, { ...BINDING, containerId: OTHER_CONTAINER_ID, hostPort: 8081 }, { ...BINDING, hostPort: 8082 }]);
      expect(units.map((u) => u.chains.map((c) => [c.name, c.rules.length]))).to.deep.equal([
        [[CONTAINER_CHAIN, 6]],
        [['CTRNET-C-dddddddddddd-aaaaaa', 3]],
      ]);
    });

    it('names every chain within the 28 characters iptables allows', () => {
      const names = [...containerUnits([BINDING]), networkUnit(NETWORK)!, networkUnit({ ...NETWORK, gatewayMode: 'routed' })!, linkUnit(LINK)].flatMap((u) => u.chains.map((c) => c.name));
      for (const name of names) expect(name.length, name).to.be.at.most(28);
    });
  });

  describe('linkUnit', () => {
    it('accepts the linking container to each exposed port of the target on the bridge', () => {
      const unit = linkUnit({ ...LINK, ports: [{ port: 80, protocol: 'tcp' }, { port: 53, protocol: 'udp' }] });
      const name = unit.chains[0]!.name;
      expect(name).to.match(/^CTRNET-L-dddddddddddd-[0-9a-f]{6}$/);
      expect(unit).to.deep.equal({
        chains: [
          {
            table: 'filter',
            name,
            rules: [
              ['-s', '10.250.2.3/32', '-d', '10.250.2.2/32', '-i', 'br-t', '-o', 'br-t', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'ACCEPT'],
              ['-s', '10.250.2.3/32', '-d', '10.250.2.2/32', '-i', 'br-t', '-o', 'br-t', '-p', 'udp', '-m', 'udp', '--dport', '53', '-j', 'ACCEPT'],
            ],
          },
        ],
        jumps: [{ table: 'filter', from: 'CTRNET-LINKS', rule: ['-m', 'comment', '--comment', 'ctrnet link dddddddddddd to 10.250.2.2', '-j', name], at: 'bottom' }],
      });
    });

    it('gives two links of one container different chains', () => {
      expect(linkUnit(LINK).chains[0]!.name).to.not.equal(linkUnit({ ...LINK, targetIp: '10.250.2.4' }).chains[0]!.name);
    });
  });

  describe('IPv6 (ip6tables)', () => {
    const NET6: NetworkRules = { ...NETWORK, subnet6: 'fd00:2::/64', gateway6: 'fd00:2::1' };
    const B6: PortBinding = { ...BINDING, hostIp: '::', containerIp: 'fd00:2::2' };

    it('builds no IPv6 unit for an IPv4-only network, and no IPv4 unit for an IPv6-only one', () => {
      expect(networkUnit(NETWORK, 6)).to.equal(undefined);
      expect(networkUnit({ ...NET6, subnet: undefined, gateway: undefined }, 4)).to.equal(undefined);
    });

    it('mirrors the network rules for the IPv6 subnet, without the 127/8 rule, with neighbour discovery kept under ICC off', () => {
      const unit = networkUnit({ ...NET6, icc: false }, 6)!;
      expect(unit.chains.find((c) => c.table === 'raw' && c.name === NET_CHAIN)!.rules).to.deep.equal([
        ['-d', 'fd00:2::/64', '!', '-i', 'br-t', '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '-j', 'DROP'],
      ]);
      expect(unit.chains.find((c) => c.table === 'nat')!.rules[0]).to.deep.equal(['-s', 'fd00:2::/64', '!', '-o', 'br-t', '-j', 'MASQUERADE']);
      expect(unit.chains.find((c) => c.table === 'filter')!.rules.slice(2, 5)).to.deep.equal([
        ['-i', 'br-t', '-o', 'br-t', '-p', 'ipv6-icmp', '-m', 'icmp6', '--icmpv6-type', '135', '-j', 'ACCEPT'],
        ['-i', 'br-t', '-o', 'br-t', '-p', 'ipv6-icmp', '-m', 'icmp6', '--icmpv6-type', '136', '-j', 'ACCEPT'],
        ['-i', 'br-t', '-o', 'br-t', '-j', 'CTRNET-LINKS'],
      ]);
    });

    it('DNATs IPv6 ports in brackets, never from ::1, marks hairpin only; [::1] ports get no rules', () => {
      const [unit] = containerUnits([B6, { ...B6, hostIp: '::1', hostPort: 9 }, { ...B6, hostIp: 'fd00:6::1', hostPort: 8081 }], 6);
      expect(unit!.chains[0]!.rules).to.deep.equal([
        ['!', '-d', '::1/128', '-i', 'br-t', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', ...MARK],
        ['!', '-d', '::1/128', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-j', 'DNAT', '--to-destination', '[fd00:2::2]:80'],
        ['-d', 'fd00:6::1/128', '-i', 'br-t', '-p', 'tcp', '-m', 'tcp', '--dport', '8081', ...MARK],
        ['-d', 'fd00:6::1/128', '-p', 'tcp', '-m', 'tcp', '--dport', '8081', '-j', 'DNAT', '--to-destination', '[fd00:2::2]:80'],
      ]);
      expect(containerUnits([B6], 4), 'nothing for iptables').to.deep.equal([]);
      expect(containerUnits([{ ...B6, hostIp: '::1' }], 6), 'a [::1]-only container').to.deep.equal([]);
    });

    it('links IPv6 addresses as /128', () => {
      const rule = linkUnit({ ...LINK, sourceIp: 'fd00:2::3', targetIp: 'fd00:2::2' }).chains[0]!.rules[0]!;
      expect(rule.slice(0, 4)).to.deep.equal(['-s', 'fd00:2::3/128', '-d', 'fd00:2::2/128']);
    });
  });

  describe('gateway modes', () => {
    it('routed: no masquerade, no raw guard; published ports and ICMP from outside only, in FORWARD', () => {
      const unit = networkUnit({ ...NETWORK, gatewayMode: 'routed' })!;
      expect(unit.chains.find((c) => c.table === 'raw' && c.name === NET_CHAIN)!.rules).to.deep.equal([['-d', '127.0.0.0/8', '-i', 'br-t', '-j', 'DROP']]);
      expect(unit.chains.find((c) => c.table === 'nat')!.rules).to.deep.equal([['-o', 'br-t', '-m', 'mark', '--mark', '0x2000/0x2000', '-j', 'MASQUERADE']]);
      const filter = unit.chains.find((c) => c.table === 'filter' && c.name === NET_CHAIN)!.rules;
      expect(filter.slice(3, 5)).to.deep.equal([
        ['-o', 'br-t', '-m', 'mark', '!', '--mark', '0x4000/0x4000', '-j', 'CTRNET-R-aaaaaaaaaaaa'],
        ['-o', 'br-t', '-p', 'icmp', '-m', 'mark', '!', '--mark', '0x4000/0x4000', '-j', 'ACCEPT'],
      ]);
      expect(unit.chains.filter((c) => c.dispatch).map((c) => `${c.table} ${c.name}`)).to.deep.equal(['filter CTRNET-R-aaaaaaaaaaaa']);
    });

    it('routed ports open the container port from the network\'s routed chains, no DNAT', () => {
      const routed = { ...BINDING, hostIp: '10.250.2.2', hostPort: 80, routed: true };
      const [unit] = containerUnits([routed]);
      const open = [['-d', '10.250.2.2/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'ACCEPT']];
      expect(unit).to.deep.equal({
        chains: [{ table: 'filter', name: CONTAINER_CHAIN, rules: open }],
        jumps: [{ table: 'filter', from: 'CTRNET-R-aaaaaaaaaaaa', rule: [...CONTAINER_TAG, '-j', CONTAINER_CHAIN], at: 'bottom' }],
      });
    });

    it('nat-unprotected: masqueraded, no guard, anything from outside accepted', () => {
      const unit = networkUnit({ ...NETWORK, gatewayMode: 'nat-unprotected' })!;
      expect(unit.chains.find((c) => c.table === 'raw' && c.name === NET_CHAIN)!.rules).to.deep.equal([['-d', '127.0.0.0/8', '-i', 'br-t', '-j', 'DROP']]);
      expect(unit.chains.find((c) => c.table === 'nat')!.rules[0]).to.deep.equal(['-s', '10.250.2.0/24', '!', '-o', 'br-t', '-j', 'MASQUERADE']);
      expect(unit.chains.find((c) => c.table === 'filter')!.rules).to.deep.include(['-o', 'br-t', '-m', 'mark', '!', '--mark', '0x4000/0x4000', '-j', 'ACCEPT']);
    });
  });
});
