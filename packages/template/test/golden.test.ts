// Every case of test/golden/cases.json was run through Go's text/template with
// Docker's functions (tools/golden/main.go); our output must be Go's, and where
// Go failed we must fail with the same message in the same phase.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { formatTable, parseTemplate, TemplateError } from '../src/index.js';

interface TemplateCase {
  name: string;
  template: string;
  data: string;
  missingKey?: 'error';
  output?: string;
  error?: string;
  phase?: 'parse' | 'exec';
}

interface TableCase {
  name: string;
  format: string;
  rows: string;
  headers: Record<string, string>;
  output?: string;
  error?: string;
}

interface Golden {
  datasets: Record<string, unknown>;
  cases: TemplateCase[];
  tables: TableCase[];
}

const golden = JSON.parse(readFileSync(new URL('../../test/golden/cases.json', import.meta.url), 'utf8')) as Golden;

function outcome(run: () => string): { output?: string; error?: string; phase?: string } {
  try {
    return { output: run() };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { error: err.message, phase: err.phase };
  }
}

describe('golden cases from Go text/template', () => {
  it('has at least 80 template cases', () => expect(golden.cases.length).to.be.at.least(80));

  for (const c of golden.cases) {
    it(c.name, () => {
      const data = golden.datasets[c.data];
      const got = outcome(() => parseTemplate(c.template).execute(data, { missingKey: c.missingKey }));
      const want = c.error === undefined ? { output: c.output } : { error: c.error, phase: c.phase };
      expect(got).to.deep.equal(want);
    });
  }
});

describe('golden tables from Docker formatter logic', () => {
  for (const t of golden.tables) {
    it(t.name, () => {
      const rows = golden.datasets[t.rows] as unknown[];
      const got = outcome(() => formatTable(t.format, rows, t.headers));
      const want = t.error === undefined ? { output: t.output } : { error: t.error, phase: got.phase };
      expect(got).to.deep.equal(want);
    });
  }
});
