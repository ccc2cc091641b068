import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { GENERATED_MARKER, renderReference, withReference } from '../src/docs/reference.js';
import { buildProgram } from '../src/program.js';

const DOC = fileURLToPath(new URL('../../../../docs/cli.md', import.meta.url));

describe('the CLI reference (docs/cli.md)', () => {
  const reference = renderReference(buildProgram({ status: 0 }));

  it('is what the command definitions generate (run npm run docs:cli after changing a command)', () => {
    const committed = readFileSync(DOC, 'utf8');
    expect(committed.includes(GENERATED_MARKER), 'docs/cli.md has its generated part').to.equal(true);
    expect(committed.slice(committed.indexOf(GENERATED_MARKER)) === reference, 'docs/cli.md is out of date: run npm run build && npm run docs:cli').to.equal(true);
  });

  it('documents every visible command and option, and no hidden one', () => {
    for (const heading of ['### ctrnet run', '### ctrnet ps', '### ctrnet network create', '### ctrnet container ls', '### ctrnet system prune', '### ctrnet completion']) {
      expect(reference).to.contain(`${heading}\n`);
    }
    expect(reference).to.contain('`-f, --filter <key=value>`').and.contain('`--no-trunc`').and.contain('`-p, --publish <spec>`');
    expect(reference).not.to.contain('__complete').and.not.to.contain('system reap');
  });

  it('keeps the hand-written part when rewriting', () => {
    expect(withReference('# Notes\n\ntext\n', 'REF\n')).to.equal('# Notes\n\ntext\n\nREF\n');
    expect(withReference(`# Notes\n${GENERATED_MARKER}\nold\n`, 'REF\n')).to.equal('# Notes\nREF\n');
  });
});
