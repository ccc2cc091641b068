import { expect } from 'chai';
import type { LinkRule, NetworkRules, PortBinding } from '@ctrnet/core';
import {
  addLinkScript,
  addNetworkScript,
  probeScript,
  publishScript,
  reloadScript,
  removeLinkScript,
  removeNetworkScript,
  render,
  resetScript,
  skeleton,
  unpublishScript,
} from '../src/ruleset.js';

const T = 'inet ctrnet';

/** The whole fixed ruleset, as applied: this is the layout the README documents. */
const SKELETON = [
  `add table ${T}`,
  `add set ${T} bridges { type ifname; }`,
  `add set ${T} subnets { type ipv4_addr; flags interval; }`,
  `add set ${T} gateways { type ipv4_addr; }`,
  `add set ${T} subnet-bridges { type ipv4_addr . ifname; flags interval; }`,
  `add set ${T} masquerade-subnets { type ipv4_addr; flags interval; }`,
  `add set ${T} internal-bridges { type ifname; }`,
  `add set ${T} icc-bridges { type ifname . ifname; }`,
  `add set ${T} links { type ipv4_addr . ipv4_addr . inet_proto . inet_service; }`,
  `add map ${T} dnat4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`,
  `add map ${T} dnat4-any { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
  `add set ${T} subnets6 { type ipv6_addr; flags interval; }`,
  `add set ${T} gateways6 { type ipv6_addr; }`,
  `add set ${T} subnet-bridges6 { type ipv6_addr . ifname; flags interval; }`,
  `add set ${T} masquerade-subnets6 { type ipv6_addr; flags interval; }`,
  `add set ${T} links6 { type ipv6_addr . ipv6_addr . inet_proto . inet_service; }`,
  `add map ${T} dnat6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }`,
  `add map ${T} dnat6-any { type inet_proto . inet_service : ipv6_addr . inet_service; }`,
  `add set ${T} open-subnets { type ipv4_addr; flags interval; }`,
  `add set ${T} open-subnets6 { type ipv6_addr; flags interval; }`,
  `add set ${T} routed-subnets { type ipv4_addr; flags interval; }`,
  `add set ${T} routed-subnets6 { type ipv6_addr; flags interval; }`,
  `add set ${T} routed-ports { type ipv4_addr . inet_proto . inet_service; }`,
  `add set ${T} routed-ports6 { type ipv6_addr . inet_proto . inet_service; }`,
  `add chain ${T} user`,
  `add chain ${T} published-mark`,
  `add chain ${T} published`,
  `add chain ${T} guard { type filter hook prerouting priority raw; policy accept; }`,
  `add chain ${T} nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
  `add chain ${T} nat-output { type nat hook output priority -100; policy accept; }`,
  `add chain ${T} nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
  `add chain ${T} forward { type filter hook forward priority filter; policy accept; }`,
  `add chain ${T} postrouting { type filter hook postrouting priority filter; policy accept; }`,
  `flush chain ${T} published-mark`,
  `flush chain ${T} published`,
  `flush chain ${T} guard`,
  `flush chain ${T} nat-prerouting`,
  `flush chain ${T} nat-output`,
  `flush chain ${T} nat-postrouting`,
  `flush chain ${T} forward`,
  `flush chain ${T} postrouting`,
  `add rule ${T} published-mark ip daddr . meta l4proto . th dport @dnat4 meta mark set meta mark | 0x2000 return`,
  `add rule ${T} published-mark meta nfproto ipv4 meta l4proto . th dport @dnat4-any meta mark set meta mark | 0x2000 return`,
  `add rule ${T} published-mark ip6 daddr . meta l4proto . th dport @dnat6 meta mark set meta mark | 0x2000 return`,
  `add rule ${T} published-mark meta nfproto ipv6 meta l4proto . th dport @dnat6-any meta mark set meta mark | 0x2000`,
  `add rule ${T} published ip saddr 127.0.0.0/8 jump published-mark`,
  `add rule ${T} published iifname @bridges jump published-mark`,
  `add rule ${T} published dnat ip to ip daddr . meta l4proto . th dport map @dnat4`,
  `add rule ${T} published meta nfproto ipv4 dnat ip to meta l4proto . th dport map @dnat4-any`,
  `add rule ${T} published dnat ip6 to ip6 daddr . meta l4proto . th dport map @dnat6`,
  `add rule ${T} published meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @dnat6-any`,
  `add rule ${T} guard iifname @bridges ip daddr 127.0.0.0/8 drop`,
  `add rule ${T} guard ip daddr @subnets ip daddr != @gateways ip daddr . iifname != @subnet-bridges drop`,
  `add rule ${T} guard ip6 daddr @subnets6 ip6 daddr != @gateways6 ip6 daddr . iifname != @subnet-bridges6 drop`,
  `add rule ${T} nat-prerouting fib daddr type local ip daddr != 127.0.0.0/8 jump published`,
  `add rule ${T} nat-prerouting fib daddr type local ip6 daddr != ::1 jump published`,
  `add rule ${T} nat-output meta nfproto ipv4 fib daddr type local jump published`,
  `add rule ${T} nat-output fib daddr type local ip6 daddr != ::1 jump published`,
  `add rule ${T} nat-postrouting meta mark & 0x2000 == 0x2000 masquerade`,
  `add rule ${T} nat-postrouting ip saddr @masquerade-subnets ip saddr . oifname != @subnet-bridges masquerade`,
  `add rule ${T} nat-postrouting ip6 saddr @masquerade-subnets6 ip6 saddr . oifname != @subnet-bridges6 masquerade`,
  `add rule ${T} forward jump user`,
  `add rule ${T} forward ct state established,related accept`,
  `add rule ${T} forward iifname @bridges icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept`,
  `add rule ${T} forward iifname . oifname @icc-bridges accept`,
  `add rule ${T} forward ip saddr . ip daddr . meta l4proto . th dport @links accept`,
  `add rule ${T} forward ip6 saddr . ip6 daddr . meta l4proto . th dport @links6 accept`,
  `add rule ${T} forward iifname @internal-bridges drop`,
  `add rule ${T} forward oifname @internal-bridges drop`,
  `add rule ${T} forward ct status dnat accept`,
  `add rule ${T} forward iifname @bridges oifname @bridges drop`,
  `add rule ${T} forward iifname @bridges accept`,
  `add rule ${T} forward ip daddr . meta l4proto . th dport @routed-ports accept`,
  `add rule ${T} forward ip6 daddr . meta l4proto . th dport @routed-ports6 accept`,
  `add rule ${T} forward ip daddr @routed-subnets meta l4proto icmp accept`,
  `add rule ${T} forward ip6 daddr @routed-subnets6 meta l4proto ipv6-icmp accept`,
  `add rule ${T} forward ip daddr @open-subnets accept`,
  `add rule ${T} forward ip6 daddr @open-subnets6 accept`,
  `add rule ${T} forward oifname @bridges drop`,
  `add rule ${T} postrouting ct status dnat oifname @internal-bridges drop`,
];

const NET: NetworkRules = {
  networkId: 'a'.repeat(64),
  bridge: 'ctr-0123456789a',
  subnet: '172.18.0.0/16',
  gateway: '172.18.0.1',
  internal: false,
  icc: true,
  masquerade: true,
};

function port(hostPort: number, overrides: Partial<PortBinding> = {}): PortBinding {
  return {
    containerId: 'c'.repeat(64),
    networkId: NET.networkId,
    bridge: NET.bridge,
    protocol: 'tcp',
    hostIp: '0.0.0.0',
    hostPort,
    containerIp: '172.18.0.2',
    containerPort: 80,
    ...overrides,
  };
}

const LINK: LinkRule = {
  containerId: 'd'.repeat(64),
  bridge: NET.bridge,
  sourceIp: '172.18.0.3',
  targetIp: '172.18.0.2',
  ports: [
    { port: 80, protocol: 'tcp' },
    { port: 53, protocol: 'udp' },
  ],
};

/** add-then-delete: the idempotent removal of one set's elements. */
function removal(set: string, elements: string): string[] {
  return [`add element ${T} ${set} { ${elements} }`, `delete element ${T} ${set} { ${elements} }`];
}

describe('ruleset', () => {
  it('builds the skeleton: sets, chains at their hooks, fixed rules; the user chain is never flushed', () => {
    expect(skeleton()).to.deep.equal(SKELETON);
    expect(SKELETON.filter((l) => l.includes(' user'))).to.deep.equal([`add chain ${T} user`, `add rule ${T} forward jump user`]);
  });

  it('installs a default network: skeleton, its elements, and removes what its options rule out', () => {
    expect(addNetworkScript(NET)).to.deep.equal([
      ...SKELETON,
      `add element ${T} bridges { "ctr-0123456789a" }`,
      `add element ${T} subnets { 172.18.0.0/16 }`,
      `add element ${T} gateways { 172.18.0.1 }`,
      `add element ${T} subnet-bridges { 172.18.0.0/16 . "ctr-0123456789a" }`,
      `add element ${T} masquerade-subnets { 172.18.0.0/16 }`,
      `add element ${T} icc-bridges { "ctr-0123456789a" . "ctr-0123456789a" }`,
      ...removal('internal-bridges', '"ctr-0123456789a"'),
      ...removal('open-subnets', '172.18.0.0/16'),
      ...removal('routed-subnets', '172.18.0.0/16'),
    ]);
  });

  it('installs a dual-stack network: the IPv6 elements in the IPv6 sets', () => {
    const script = addNetworkScript({ ...NET, subnet6: 'fd00:18::/64', gateway6: 'fd00:18::1' }).slice(SKELETON.length);
    expect(script.filter((l) => l.startsWith('add element') && /6 \{/.test(l))).to.deep.equal([
      `add element ${T} subnets6 { fd00:18::/64 }`,
      `add element ${T} gateways6 { fd00:18::1 }`,
      `add element ${T} subnet-bridges6 { fd00:18::/64 . "ctr-0123456789a" }`,
      `add element ${T} masquerade-subnets6 { fd00:18::/64 }`,
      `add element ${T} open-subnets6 { fd00:18::/64 }`,
      `add element ${T} routed-subnets6 { fd00:18::/64 }`,
    ]);
  });

  it('follows the gateway modes: routed families are not masqueraded; routed and nat-unprotected ones are not guarded, nat-unprotected ones are open', () => {
    const present = (n: NetworkRules) => addNetworkScript(n).slice(SKELETON.length).filter((l, i, all) => l.startsWith('add element') && !all[i + 1]?.startsWith('delete'));
    const routed = present({ ...NET, gatewayMode: 'routed' });
    expect(routed).to.include(`add element ${T} routed-subnets { 172.18.0.0/16 }`);
    expect(routed.join()).to.not.contain('masquerade-subnets').and.not.contain(`${T} subnets {`);
    const open = present({ ...NET, gatewayMode: 'nat-unprotected' });
    expect(open).to.include(`add element ${T} open-subnets { 172.18.0.0/16 }`).and.include(`add element ${T} masquerade-subnets { 172.18.0.0/16 }`);
    expect(open.join()).to.not.contain('add element inet ctrnet subnets {');
  });

  it('installs an internal network without ICC: no masquerade, marked internal', () => {
    expect(addNetworkScript({ ...NET, internal: true, icc: false }).slice(SKELETON.length)).to.deep.equal([
      `add element ${T} bridges { "ctr-0123456789a" }`,
      `add element ${T} subnets { 172.18.0.0/16 }`,
      `add element ${T} gateways { 172.18.0.1 }`,
      `add element ${T} subnet-bridges { 172.18.0.0/16 . "ctr-0123456789a" }`,
      `add element ${T} internal-bridges { "ctr-0123456789a" }`,
      ...removal('masquerade-subnets', '172.18.0.0/16'),
      ...removal('icc-bridges', '"ctr-0123456789a" . "ctr-0123456789a"'),
      ...removal('open-subnets', '172.18.0.0/16'),
      ...removal('routed-subnets', '172.18.0.0/16'),
    ]);
  });

  it('masquerade off only drops the masquerade element', () => {
    const script = addNetworkScript({ ...NET, masquerade: false }).slice(SKELETON.length);
    expect(script.filter((l) => l.includes('masquerade-subnets'))).to.deep.equal(removal('masquerade-subnets', '172.18.0.0/16'));
  });

  it('removes every element a network may own, whatever its options, idempotently', () => {
    const expected = [
      ...removal('bridges', '"ctr-0123456789a"'),
      ...removal('subnets', '172.18.0.0/16'),
      ...removal('gateways', '172.18.0.1'),
      ...removal('subnet-bridges', '172.18.0.0/16 . "ctr-0123456789a"'),
      ...removal('masquerade-subnets', '172.18.0.0/16'),
      ...removal('internal-bridges', '"ctr-0123456789a"'),
      ...removal('icc-bridges', '"ctr-0123456789a" . "ctr-0123456789a"'),
      ...removal('open-subnets', '172.18.0.0/16'),
      ...removal('routed-subnets', '172.18.0.0/16'),
    ];
    expect(removeNetworkScript(NET)).to.deep.equal(expected);
    expect(removeNetworkScript({ ...NET, internal: true, icc: false, masquerade: false })).to.deep.equal(expected);
  });

  it('publishes into the map for the host address: one line per map, however many ports', () => {
    expect(publishScript([port(8080), port(8443, { containerPort: 443 }), port(5353, { hostIp: '127.0.0.1', protocol: 'udp', containerPort: 53 })])).to.deep.equal([
      `add element ${T} dnat4 { 127.0.0.1 . udp . 5353 : 172.18.0.2 . 53 }`,
      `add element ${T} dnat4-any { tcp . 8080 : 172.18.0.2 . 80, tcp . 8443 : 172.18.0.2 . 443 }`,
    ]);
    const thousand = publishScript(Array.from({ length: 1000 }, (_, i) => port(20000 + i)));
    expect(thousand).to.have.length(1);
  });

  it('unpublishes with add-then-delete per map', () => {
    expect(unpublishScript([port(8080), port(8081, { hostIp: '10.0.0.5', protocol: 'sctp' })])).to.deep.equal([
      ...removal('dnat4', '10.0.0.5 . sctp . 8081 : 172.18.0.2 . 80'),
      ...removal('dnat4-any', 'tcp . 8080 : 172.18.0.2 . 80'),
    ]);
  });

  it('publishes IPv6 ports into the IPv6 maps, routed ports into routed-ports, and nothing for [::1]', () => {
    const v6 = (hostPort: number, o: Partial<PortBinding> = {}) => port(hostPort, { hostIp: '::', containerIp: 'fd00:18::2', ...o });
    expect(
      publishScript([v6(8080), v6(8081, { hostIp: 'fd00:6::1' }), v6(8082, { hostIp: '::1' }), v6(80, { hostIp: 'fd00:18::2', routed: true }), port(80, { hostIp: '172.18.0.2', routed: true })]),
    ).to.deep.equal([
      `add element ${T} dnat6 { fd00:6::1 . tcp . 8081 : fd00:18::2 . 80 }`,
      `add element ${T} dnat6-any { tcp . 8080 : fd00:18::2 . 80 }`,
      `add element ${T} routed-ports { 172.18.0.2 . tcp . 80 }`,
      `add element ${T} routed-ports6 { fd00:18::2 . tcp . 80 }`,
    ]);
  });

  it('opens and closes a link, one element per exposed port', () => {
    const elements = '172.18.0.3 . 172.18.0.2 . tcp . 80, 172.18.0.3 . 172.18.0.2 . udp . 53';
    expect(addLinkScript(LINK)).to.deep.equal([`add element ${T} links { ${elements} }`]);
    expect(removeLinkScript(LINK)).to.deep.equal(removal('links', elements));
    expect(addLinkScript({ ...LINK, sourceIp: 'fd00:18::3', targetIp: 'fd00:18::2', ports: [{ port: 80, protocol: 'tcp' }] })).to.deep.equal([
      `add element ${T} links6 { fd00:18::3 . fd00:18::2 . tcp . 80 }`,
    ]);
  });

  it('reloads: skeleton, every set emptied, then the whole state in one element line per set', () => {
    const other: NetworkRules = { ...NET, networkId: 'b'.repeat(64), bridge: 'ctr-b', subnet: '172.19.0.0/16', gateway: '172.19.0.1', icc: false };
    expect(reloadScript({ networks: [NET, other], ports: [port(8080)], links: [LINK] })).to.deep.equal([
      ...SKELETON,
      `flush set ${T} bridges`,
      `flush set ${T} subnets`,
      `flush set ${T} gateways`,
      `flush set ${T} subnet-bridges`,
      `flush set ${T} masquerade-subnets`,
      `flush set ${T} internal-bridges`,
      `flush set ${T} icc-bridges`,
      `flush set ${T} links`,
      `flush map ${T} dnat4`,
      `flush map ${T} dnat4-any`,
      `flush set ${T} subnets6`,
      `flush set ${T} gateways6`,
      `flush set ${T} subnet-bridges6`,
      `flush set ${T} masquerade-subnets6`,
      `flush set ${T} links6`,
      `flush map ${T} dnat6`,
      `flush map ${T} dnat6-any`,
      `flush set ${T} open-subnets`,
      `flush set ${T} open-subnets6`,
      `flush set ${T} routed-subnets`,
      `flush set ${T} routed-subnets6`,
      `flush set ${T} routed-ports`,
      `flush set ${T} routed-ports6`,
      `add element ${T} bridges { "ctr-0123456789a", "ctr-b" }`,
      `add element ${T} subnets { 172.18.0.0/16, 172.19.0.0/16 }`,
      `add element ${T} gateways { 172.18.0.1, 172.19.0.1 }`,
      `add element ${T} subnet-bridges { 172.18.0.0/16 . "ctr-0123456789a", 172.19.0.0/16 . "ctr-b" }`,
      `add element ${T} masquerade-subnets { 172.18.0.0/16, 172.19.0.0/16 }`,
      `add element ${T} icc-bridges { "ctr-0123456789a" . "ctr-0123456789a" }`,
      `add element ${T} links { 172.18.0.3 . 172.18.0.2 . tcp . 80, 172.18.0.3 . 172.18.0.2 . udp . 53 }`,
      `add element ${T} dnat4-any { tcp . 8080 : 172.18.0.2 . 80 }`,
    ]);
  });

  it('reloads an empty state into an empty skeleton', () => {
    expect(reloadScript({ networks: [], ports: [], links: [] })).to.have.length(SKELETON.length + 23);
  });

  it('resets by adding then deleting the table, so a missing table is fine', () => {
    expect(resetScript()).to.deep.equal([`add table ${T}`, `delete table ${T}`]);
  });

  it('probes with the whole skeleton under a scratch table that is deleted again', () => {
    expect(probeScript()).to.deep.equal([...SKELETON.map((l) => l.replace(T, `${T}-probe`)), `delete table ${T}-probe`]);
  });

  it('renders a script as lines for nft -f', () => {
    expect(render(['add table inet ctrnet', 'delete table inet ctrnet'])).to.equal('add table inet ctrnet\ndelete table inet ctrnet\n');
  });
});
