import { expect } from 'chai';
import { isYes, prunedReport } from '../src/commands/prune.js';

describe('prune', () => {
  it("takes y or yes (any case) as Docker's prompt does, nothing else", () => {
    for (const yes of ['y', 'Y', 'yes', 'YES', ' y ']) expect(isYes(yes), yes).to.equal(true);
    for (const no of ['', 'n', 'no', 'yy', 'sure']) expect(isYes(no), no).to.equal(false);
  });

  it("reports what was removed under Docker's heading, nothing when nothing was", () => {
    expect(prunedReport('Containers', ['a', 'b'])).to.equal('Deleted Containers:\na\nb\n');
    expect(prunedReport('Networks', [])).to.equal('');
  });
});
