import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { formatListing, isTemplate, objectTemplate } from '../src/format.js';

const listing = {
  rows: [
    { ID: 'abc', Name: 'one' },
    { ID: 'def', Name: 'two' },
  ],
  headers: { ID: 'ID', Name: 'NAME' },
  columns: ['ID', 'Name'] as ('ID' | 'Name')[],
  json: () => '[json]\n',
};

describe('--format', () => {
  it('prints the default table, JSON, tables and templates', async () => {
    expect(await formatListing(undefined, listing)).to.equal('ID        NAME\nabc       one\ndef       two\n');
    expect(await formatListing('table', listing)).to.equal(await formatListing(undefined, listing));
    expect(await formatListing('json', listing)).to.equal('[json]\n');
    expect(await formatListing('{{.Name}}', listing)).to.equal('one\ntwo\n');
    expect(await formatListing('table {{.Name}}\\t{{.ID}}', listing)).to.equal('NAME      ID\none       abc\ntwo       def\n');
    expect(isTemplate('')).to.equal(false);
    expect(isTemplate('{{.ID}}')).to.equal(true);
  });

  it('turns template errors into one-line usage errors naming the position', async () => {
    let caught: unknown;
    await formatListing('{{.Name', listing).catch((err) => (caught = err));
    expect(caught).to.be.instanceOf(CtrnetError);
    expect((caught as CtrnetError).exitStatus).to.equal(2);
    expect((caught as CtrnetError).message).to.match(/^invalid --format "\{\{\.Name": template: :1: /);
  });

  it("runs inspect's templates, retrying with missingkey=error like docker inspect", async () => {
    const render = await objectTemplate('{{.Name}} {{.Nope}}');
    expect(render({ Name: 'x' })).to.equal('x <no value>\n');
    const failing = await objectTemplate('{{.Name.Foo}}');
    expect(() => failing({ Name: 'x', Pid: 1 })).to.throw(CtrnetError, 'failed: template: :1:7: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type interface {}');
  });
});
