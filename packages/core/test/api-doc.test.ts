import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { API_METHODS } from '../src/index.js';

describe('docs/api.md', () => {
  it('lists every API method, and no other', () => {
    const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z]+\.[a-zA-Z]+)` \|/gm)].map((m) => m[1]);
    expect(listed).to.have.members([...API_METHODS]);
  });
});
