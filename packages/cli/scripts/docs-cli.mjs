// Rewrite the generated command reference at the end of docs/cli.md from
// the command definitions (run `npm run build` first). The behaviour notes
// above the marker are hand-written and left alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReference, withReference } from '../dist/src/docs/reference.js';
import { buildProgram } from '../dist/src/program.js';

const path = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = withReference(before, renderReference(buildProgram({ status: 0 })));
writeFileSync(path, after);
console.log(after === before ? 'docs/cli.md is up to date' : 'docs/cli.md rewritten');
