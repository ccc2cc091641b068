import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { parseTableJson } from '../src/kernel-state.js';

/** Trimmed from `nft -j list table inet ctrnet` (nft 1.0.6) after installing one network and two ports. */
const LISTING = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'ctrnet', handle: 1 } },
    { set: { family: 'inet', name: 'bridges', table: 'ctrnet', type: 'ifname', handle: 1, elem: ['br-t'] } },
    { set: { family: 'inet', name: 'subnets', table: 'ctrnet', type: 'ipv4_addr', handle: 2, flags: ['interval'], elem: [{ prefix: { addr: '10.250.1.0', len: 24 } }] } },
    { set: { family: 'inet', name: 'gateways', table: 'ctrnet', type: 'ipv4_addr', handle: 3, elem: ['10.250.1.1'] } },
    {
      set: {
        family: 'inet', name: 'subnet-bridges', table: 'ctrnet', type: ['ipv4_addr', 'ifname'], handle: 4, flags: ['interval'],
        elem: [{ concat: [{ prefix: { addr: '10.250.1.0', len: 24 } }, 'br-t'] }],
      },
    },
    { set: { family: 'inet', name: 'internal-bridges', table: 'ctrnet', type: 'ifname', handle: 6 } },
    { set: { family: 'inet', name: 'icc-bridges', table: 'ctrnet', type: ['ifname', 'ifname'], handle: 7, elem: [{ concat: ['br-t', 'br-t'] }] } },
    {
      map: {
        family: 'inet', name: 'dnat4', table: 'ctrnet', type: ['ipv4_addr', 'inet_proto', 'inet_service'], handle: 9, map: 'ipv4_addr . inet_service',
        elem: [[{ concat: ['10.250.9.1', 'udp', 53] }, { concat: ['10.250.1.2', 5353] }]],
      },
    },
    {
      map: {
        family: 'inet', name: 'dnat4-any', table: 'ctrnet', type: ['inet_proto', 'inet_service'], handle: 10, map: 'ipv4_addr . inet_service',
        elem: [[{ elem: { val: { concat: ['tcp', 8080] }, counter: { packets: 0, bytes: 0 } } }, { concat: ['10.250.1.2', 80] }]],
      },
    },
    { set: { family: 'inet', name: 'not-ours', table: 'ctrnet', type: 'ifname', handle: 11, elem: ['x'] } },
    { chain: { family: 'inet', table: 'ctrnet', name: 'user', handle: 12 } },
  ],
});

describe('kernel-state', () => {
  it('reads IPv6 elements back canonically, including ones nft prints with an embedded IPv4 part', () => {
    const listing = JSON.stringify({
      nftables: [
        { set: { family: 'inet', name: 'subnets6', table: 'ctrnet', type: 'ipv6_addr', flags: ['interval'], elem: [{ prefix: { addr: 'fd00:1::', len: 64 } }] } },
        { set: { family: 'inet', name: 'links6', table: 'ctrnet', type: ['ipv6_addr', 'ipv6_addr', 'inet_proto', 'inet_service'], elem: [{ concat: ['fd00:1::3', '::1.2.3.4', 'tcp', 80] }] } },
        {
          map: {
            family: 'inet', name: 'dnat6', table: 'ctrnet', type: ['ipv6_addr', 'inet_proto', 'inet_service'], map: 'ipv6_addr . inet_service',
            elem: [[{ concat: ['fd00:6::1', 'tcp', 8081] }, { concat: ['fd00:1::2', 80] }]],
          },
        },
      ],
    });
    expect(parseTableJson(listing)).to.deep.equal({
      subnets6: ['fd00:1::/64'],
      links6: ['fd00:1::3 . ::102:304 . tcp . 80'],
      dnat6: ['fd00:6::1 . tcp . 8081 : fd00:1::2 . 80'],
    });
  });

  it('reads elements back in the form ctrnet writes them', () => {
    expect(parseTableJson(LISTING)).to.deep.equal({
      bridges: ['"br-t"'],
      subnets: ['10.250.1.0/24'],
      gateways: ['10.250.1.1'],
      subnetBridges: ['10.250.1.0/24 . "br-t"'],
      internalBridges: [],
      iccBridges: ['"br-t" . "br-t"'],
      dnat4: ['10.250.9.1 . udp . 53 : 10.250.1.2 . 5353'],
      dnat4Any: ['tcp . 8080 : 10.250.1.2 . 80'],
    });
  });

  it('reads ranges and /32 prefixes', () => {
    const listing = JSON.stringify({
      nftables: [{ set: { name: 'subnets', elem: [{ range: ['10.0.0.1', '10.0.0.7'] }, { prefix: { addr: '10.9.9.9', len: 32 } }] } }],
    });
    expect(parseTableJson(listing)).to.deep.equal({ subnets: ['10.0.0.1-10.0.0.7', '10.9.9.9'] });
  });

  it('says so when nft printed something else', () => {
    expect(() => parseTableJson('Error: oops')).to.throw(CtrnetError, 'nft -j printed something that is not JSON');
  });
});
