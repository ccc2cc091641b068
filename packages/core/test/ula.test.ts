import { expect } from 'chai';
import { ulaPool } from '../src/net/ula.js';

describe('net/ula', () => {
  // Vectors computed with moby's deriveULABaseNetwork (Go, crypto/sha256 + ipbits.Add), see the commit adding this test.
  for (const [id, base] of [
    ['ctrnet-test-installation', 'fd0c:4ff7:d094::/48'],
    ['WXYZ:ABCD:1234:5678:9ABC:DEF0:1234:5678:9ABC:DEF0:1234:5678', 'fda2:418a:c314::/48'],
    ['', 'fd42:98fc:1c14::/48'],
  ] as const) {
    it(`derives ${base} from ${JSON.stringify(id)} as Docker 27 does, cut into /64s`, () => {
      expect(ulaPool(id)).to.deep.equal({ base, size: 64 });
    });
  }
});
