import { expect } from 'chai';
import { baseUnit, containerUnits, networkUnit } from '../src/layout.js';
import { describeRuleset, reconcile, reloadRequest, resetRequest } from '../src/reconcile.js';
import { parseSave } from '../src/ruleset.js';
import { BINDING, CONTAINER_CHAIN, NET_CHAIN, NETWORK } from './fixtures.js';

const NET_TAG = '-m comment --comment "ctrnet network aaaaaaaaaaaa"';
const MARK_CHAIN = 'CTRNET-M-aaaaaaaaaaaa';
const CONTAINER_TAG = '-m comment --comment "ctrnet container cccccccccccc network aaaaaaaaaaaa"';

/** The three tables after base + NETWORK + BINDING were installed, plus foreign rules. */
const INSTALLED = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:CTRNET-RAW - [0:0]
:${MARK_CHAIN} - [0:0]
:${NET_CHAIN} - [0:0]
-A PREROUTING -m comment --comment ctrnet -j CTRNET-RAW
-A CTRNET-RAW -i br-t ${NET_TAG} -j ${MARK_CHAIN}
-A CTRNET-RAW ${NET_TAG} -j ${NET_CHAIN}
-A ${MARK_CHAIN} -j MARK --set-xmark 0x4000/0x4000
-A ${NET_CHAIN} -d 10.250.2.0/24 ! -i br-t -m addrtype ! --dst-type LOCAL -j DROP
-A ${NET_CHAIN} -d 127.0.0.0/8 -i br-t -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CTRNET-DNAT - [0:0]
:CTRNET-POSTROUTING - [0:0]
:${NET_CHAIN} - [0:0]
:${CONTAINER_CHAIN} - [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT
-A POSTROUTING -m comment --comment ctrnet -j CTRNET-POSTROUTING
-A CTRNET-DNAT ${CONTAINER_TAG} -j ${CONTAINER_CHAIN}
-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}
-A ${NET_CHAIN} -s 10.250.2.0/24 ! -o br-t -j MASQUERADE
-A ${CONTAINER_CHAIN} -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.250.2.2:80
-A DOCKER -p tcp -m tcp --dport 9000 -j DNAT --to-destination 172.17.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CTRNET-USER - [0:0]
:CTRNET-FORWARD - [0:0]
:CTRNET-LINKS - [0:0]
:${NET_CHAIN} - [0:0]
-A FORWARD -m comment --comment ctrnet -j CTRNET-USER
-A FORWARD -m comment --comment ctrnet -j CTRNET-FORWARD
-A FORWARD -s 192.0.2.0/24 -j ACCEPT
-A CTRNET-FORWARD -o br-t ${NET_TAG} -j ${NET_CHAIN}
-A CTRNET-FORWARD -i br-t ${NET_TAG} -j ${NET_CHAIN}
-A ${NET_CHAIN} -o br-t -j DROP
COMMIT
`;

const networkRuleLines = {
  raw: [`-A ${NET_CHAIN} -d 10.250.2.0/24 ! -i br-t -m addrtype ! --dst-type LOCAL -j DROP`, `-A ${NET_CHAIN} -d 127.0.0.0/8 -i br-t -j DROP`],
  nat: [`-A ${NET_CHAIN} -s 10.250.2.0/24 ! -o br-t -j MASQUERADE`, `-A ${NET_CHAIN} -o br-t -m mark --mark 0x2000/0x2000 -j MASQUERADE`],
  filter: [
    `-A ${NET_CHAIN} -o br-t -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A ${NET_CHAIN} -o br-t -m conntrack --ctstate DNAT -j ACCEPT`,
    `-A ${NET_CHAIN} -i br-t -o br-t -j ACCEPT`,
    `-A ${NET_CHAIN} -o br-t -j DROP`,
    `-A ${NET_CHAIN} -i br-t -j ACCEPT`,
  ],
};

describe('reconcile', () => {
  it('on an empty ruleset creates the base and the unit, built-in jumps at the top', () => {
    expect(reconcile({}, { ensure: [baseUnit(), networkUnit(NETWORK)!], remove: [] })).to.deep.equal([
      {
        table: 'raw',
        lines: [
          ':CTRNET-RAW - [0:0]',
          `:${MARK_CHAIN} - [0:0]`,
          `:${NET_CHAIN} - [0:0]`,
          `-A ${MARK_CHAIN} -j MARK --set-xmark 0x4000/0x4000`,
          ...networkRuleLines.raw,
          `-I CTRNET-RAW 1 -i br-t ${NET_TAG} -j ${MARK_CHAIN}`,
          '-I PREROUTING 1 -m comment --comment ctrnet -j CTRNET-RAW',
          `-A CTRNET-RAW ${NET_TAG} -j ${NET_CHAIN}`,
        ],
      },
      {
        table: 'nat',
        lines: [
          ':CTRNET-DNAT - [0:0]',
          ':CTRNET-POSTROUTING - [0:0]',
          `:${NET_CHAIN} - [0:0]`,
          ...networkRuleLines.nat,
          '-I POSTROUTING 1 -m comment --comment ctrnet -j CTRNET-POSTROUTING',
          '-I OUTPUT 1 -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT',
          '-I PREROUTING 1 -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT',
          `-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}`,
        ],
      },
      {
        table: 'filter',
        lines: [
          ':CTRNET-USER - [0:0]',
          ':CTRNET-FORWARD - [0:0]',
          ':CTRNET-LINKS - [0:0]',
          `:${NET_CHAIN} - [0:0]`,
          ...networkRuleLines.filter,
          `-I CTRNET-FORWARD 1 -o br-t ${NET_TAG} -j ${NET_CHAIN}`,
          '-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-FORWARD',
          '-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-USER',
          `-A CTRNET-FORWARD -i br-t ${NET_TAG} -j ${NET_CHAIN}`,
        ],
      },
    ]);
  });

  it('when everything is in place rewrites only the leaf chains and adds no jump', () => {
    expect(reconcile(parseSave(INSTALLED), { ensure: [baseUnit(), networkUnit(NETWORK)!], remove: [] })).to.deep.equal([
      { table: 'raw', lines: [`:${MARK_CHAIN} - [0:0]`, `:${NET_CHAIN} - [0:0]`, `-A ${MARK_CHAIN} -j MARK --set-xmark 0x4000/0x4000`, ...networkRuleLines.raw] },
      { table: 'nat', lines: [`:${NET_CHAIN} - [0:0]`, ...networkRuleLines.nat] },
      { table: 'filter', lines: [`:${NET_CHAIN} - [0:0]`, ...networkRuleLines.filter] },
    ]);
  });

  it('re-adds a missing jump and deletes a duplicate one', () => {
    const saved = INSTALLED.replace(`-A CTRNET-RAW ${NET_TAG} -j ${NET_CHAIN}\n`, '').replace(
      `-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}\n`,
      `-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}\n-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}\n`,
    );
    const [raw, nat] = reconcile(parseSave(saved), { ensure: [networkUnit(NETWORK)!], remove: [] });
    expect(raw!.lines.slice(-1)).to.deep.equal([`-A CTRNET-RAW ${NET_TAG} -j ${NET_CHAIN}`]);
    expect(nat!.lines).to.include(`-D CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}`);
    expect(nat!.lines.filter((l) => l.includes('CTRNET-POSTROUTING'))).to.have.length(1);
  });

  it('restores the order of CTRNET-USER and CTRNET-FORWARD when one jump is missing', () => {
    const saved = INSTALLED.replace('-A FORWARD -m comment --comment ctrnet -j CTRNET-FORWARD\n', '');
    const filter = reconcile(parseSave(saved), { ensure: [baseUnit()], remove: [] }).find((t) => t.table === 'filter')!;
    expect(filter.lines).to.deep.equal([
      '-D FORWARD -m comment --comment ctrnet -j CTRNET-USER',
      '-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-FORWARD',
      '-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-USER',
    ]);
  });

  it('removes chains with every jump into them, and skips chains that are not there', () => {
    const remove = [CONTAINER_CHAIN, NET_CHAIN].flatMap((name) => (['raw', 'nat', 'filter'] as const).map((table) => ({ table, name })));
    const payload = reconcile(parseSave(INSTALLED), { ensure: [], remove: remove.filter((r) => r.name === CONTAINER_CHAIN) });
    expect(payload).to.deep.equal([
      { table: 'nat', lines: [`-D CTRNET-DNAT ${CONTAINER_TAG} -j ${CONTAINER_CHAIN}`, `-F ${CONTAINER_CHAIN}`, `-X ${CONTAINER_CHAIN}`] },
    ]);
    expect(reconcile({}, { ensure: [], remove })).to.deep.equal([]);
  });

  it('reset removes every ctrnet chain and jump but leaves foreign rules and a CTRNET-USER that has rules', () => {
    const saved = INSTALLED.replace(':CTRNET-FORWARD - [0:0]\n', ':CTRNET-FORWARD - [0:0]\n-A CTRNET-USER -s 198.51.100.0/24 -j DROP\n');
    const ruleset = parseSave(saved);
    expect(reconcile(ruleset, resetRequest(ruleset))).to.deep.equal([
      {
        table: 'raw',
        lines: ['-D PREROUTING -m comment --comment ctrnet -j CTRNET-RAW', '-F CTRNET-RAW', `-F ${MARK_CHAIN}`, `-F ${NET_CHAIN}`, '-X CTRNET-RAW', `-X ${MARK_CHAIN}`, `-X ${NET_CHAIN}`],
      },
      {
        table: 'nat',
        lines: [
          '-D PREROUTING -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT',
          '-D OUTPUT -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT',
          '-D POSTROUTING -m comment --comment ctrnet -j CTRNET-POSTROUTING',
          ...['CTRNET-DNAT', 'CTRNET-POSTROUTING', NET_CHAIN, CONTAINER_CHAIN].map((c) => `-F ${c}`),
          ...['CTRNET-DNAT', 'CTRNET-POSTROUTING', NET_CHAIN, CONTAINER_CHAIN].map((c) => `-X ${c}`),
        ],
      },
      {
        table: 'filter',
        lines: [
          '-D FORWARD -m comment --comment ctrnet -j CTRNET-FORWARD',
          ...['CTRNET-FORWARD', 'CTRNET-LINKS', NET_CHAIN].map((c) => `-F ${c}`),
          ...['CTRNET-FORWARD', 'CTRNET-LINKS', NET_CHAIN].map((c) => `-X ${c}`),
        ],
      },
    ]);
  });

  it('reset of an empty CTRNET-USER removes it too, and a second reset does nothing', () => {
    const ruleset = parseSave(INSTALLED);
    const filter = reconcile(ruleset, resetRequest(ruleset)).find((t) => t.table === 'filter')!;
    expect(filter.lines).to.include.members(['-D FORWARD -m comment --comment ctrnet -j CTRNET-USER', '-X CTRNET-USER']);
    const clean = parseSave('*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n');
    expect(reconcile(clean, resetRequest(clean))).to.deep.equal([]);
  });

  it('reload keeps built-in jumps in place, rebuilds dispatch chains and drops chains not in the state', () => {
    const ruleset = parseSave(INSTALLED);
    const payload = reconcile(ruleset, reloadRequest(ruleset, [baseUnit(), networkUnit(NETWORK)!]));
    expect(payload.find((t) => t.table === 'nat')).to.deep.equal({
      table: 'nat',
      lines: [
        ':CTRNET-DNAT - [0:0]',
        ':CTRNET-POSTROUTING - [0:0]',
        `:${NET_CHAIN} - [0:0]`,
        `-F ${CONTAINER_CHAIN}`,
        `-X ${CONTAINER_CHAIN}`,
        ...networkRuleLines.nat,
        `-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}`,
      ],
    });
    expect(payload.find((t) => t.table === 'filter')!.lines).to.deep.equal([
      ':CTRNET-FORWARD - [0:0]',
      ':CTRNET-LINKS - [0:0]',
      `:${NET_CHAIN} - [0:0]`,
      ...networkRuleLines.filter,
      `-I CTRNET-FORWARD 1 -o br-t ${NET_TAG} -j ${NET_CHAIN}`,
      `-A CTRNET-FORWARD -i br-t ${NET_TAG} -j ${NET_CHAIN}`,
    ]);
  });

  it('reload re-creates a published container', () => {
    const ruleset = parseSave(INSTALLED);
    const nat = reconcile(ruleset, reloadRequest(ruleset, [baseUnit(), ...containerUnits([BINDING])])).find((t) => t.table === 'nat')!;
    expect(nat.lines).to.include(`-A CTRNET-DNAT ${CONTAINER_TAG} -j ${CONTAINER_CHAIN}`);
    expect(nat.lines).to.include(`:${CONTAINER_CHAIN} - [0:0]`);
    expect(nat.lines).to.include(`-X ${NET_CHAIN}`);
  });

  it('describes only ctrnet chains and the jumps into them', () => {
    const text = describeRuleset(parseSave(INSTALLED));
    expect(text).to.include('*nat\n:CTRNET-DNAT - [0:0]\n');
    expect(text).to.include('-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment ctrnet -j CTRNET-DNAT\n');
    expect(text).to.not.include('DOCKER');
    expect(text).to.not.include('192.0.2.0');
    expect(describeRuleset({})).to.equal('');
  });
});
