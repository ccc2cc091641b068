import { expect } from 'chai';
import { baseUnit, containerUnits, networkUnit } from '../src/layout.js';
import { formatRule, installPayload, jumpLines, removePayload, renderPayload } from '../src/payload.js';
import { BINDING, CONTAINER_CHAIN, NET_CHAIN, NETWORK } from './fixtures.js';

const NET_TAG = '-m comment --comment "ctrnet network aaaaaaaaaaaa"';
const CONTAINER_TAG = '-m comment --comment "ctrnet container cccccccccccc network aaaaaaaaaaaa"';

describe('payload', () => {
  describe('formatRule', () => {
    it('quotes only tokens iptables-restore would split or misread', () => {
      expect(formatRule(['-m', 'comment', '--comment', 'a "b" c\\d', '-s', '10.0.0.0/8', '!', '-o', 'br.0', '-j', 'ACCEPT'])).to.equal(
        '-m comment --comment "a \\"b\\" c\\\\d" -s 10.0.0.0/8 ! -o br.0 -j ACCEPT',
      );
    });
  });

  describe('jumpLines', () => {
    it('inserts top jumps last-first so they keep their listed order, then appends bottom jumps', () => {
      expect(jumpLines(baseUnit().jumps.filter((j) => j.table === 'filter'))).to.deep.equal([
        '-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-FORWARD',
        '-I FORWARD 1 -m comment --comment ctrnet -j CTRNET-USER',
      ]);
    });
  });

  describe('installPayload', () => {
    it('creates a network chain per table with -N, fills it and jumps to it', () => {
      expect(renderPayload(installPayload([networkUnit(NETWORK)!]))).to.equal(
        [
          '*raw',
          '-N CTRNET-M-aaaaaaaaaaaa',
          `-N ${NET_CHAIN}`,
          '-A CTRNET-M-aaaaaaaaaaaa -j MARK --set-xmark 0x4000/0x4000',
          `-A ${NET_CHAIN} -d 10.250.2.0/24 ! -i br-t -m addrtype ! --dst-type LOCAL -j DROP`,
          `-A ${NET_CHAIN} -d 127.0.0.0/8 -i br-t -j DROP`,
          `-I CTRNET-RAW 1 -i br-t ${NET_TAG} -j CTRNET-M-aaaaaaaaaaaa`,
          `-A CTRNET-RAW ${NET_TAG} -j ${NET_CHAIN}`,
          'COMMIT',
          '*nat',
          `-N ${NET_CHAIN}`,
          `-A ${NET_CHAIN} -s 10.250.2.0/24 ! -o br-t -j MASQUERADE`,
          `-A ${NET_CHAIN} -o br-t -m mark --mark 0x2000/0x2000 -j MASQUERADE`,
          `-A CTRNET-POSTROUTING ${NET_TAG} -j ${NET_CHAIN}`,
          'COMMIT',
          '*filter',
          `-N ${NET_CHAIN}`,
          `-A ${NET_CHAIN} -o br-t -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
          `-A ${NET_CHAIN} -o br-t -m conntrack --ctstate DNAT -j ACCEPT`,
          `-A ${NET_CHAIN} -i br-t -o br-t -j ACCEPT`,
          `-A ${NET_CHAIN} -o br-t -j DROP`,
          `-A ${NET_CHAIN} -i br-t -j ACCEPT`,
          `-I CTRNET-FORWARD 1 -o br-t ${NET_TAG} -j ${NET_CHAIN}`,
          `-A CTRNET-FORWARD -i br-t ${NET_TAG} -j ${NET_CHAIN}`,
          'COMMIT',
          '',
        ].join('\n'),
      );
    });

    it('publishes a container in one nat transaction of its own chain', () => {
      expect(installPayload(containerUnits([BINDING]))).to.deep.equal([
        {
          table: 'nat',
          lines: [
            `-N ${CONTAINER_CHAIN}`,
            `-A ${CONTAINER_CHAIN} -s 127.0.0.0/8 -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x2000/0x2000`,
            `-A ${CONTAINER_CHAIN} -i br-t -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x2000/0x2000`,
            `-A ${CONTAINER_CHAIN} -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.250.2.2:80`,
            `-A CTRNET-DNAT ${CONTAINER_TAG} -j ${CONTAINER_CHAIN}`,
          ],
        },
      ]);
    });
  });

  describe('removePayload', () => {
    it('deletes the jumps, then flushes and deletes the chains', () => {
      expect(removePayload(containerUnits([{ ...BINDING, hostIp: '127.0.0.1' }]))).to.deep.equal([
        { table: 'raw', lines: [`-D CTRNET-RAW ${CONTAINER_TAG} -j ${CONTAINER_CHAIN}`, `-F ${CONTAINER_CHAIN}`, `-X ${CONTAINER_CHAIN}`] },
        { table: 'nat', lines: [`-D CTRNET-DNAT ${CONTAINER_TAG} -j ${CONTAINER_CHAIN}`, `-F ${CONTAINER_CHAIN}`, `-X ${CONTAINER_CHAIN}`] },
      ]);
    });
  });

  describe('renderPayload', () => {
    it('renders nothing for an empty payload', () => {
      expect(renderPayload([])).to.equal('');
    });
  });
});
