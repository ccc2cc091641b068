// Docker's list output (cli/command/formatter's Context.Write): a `table`
// format prints a header row and aligned columns, `json` one JSON object per
// row, anything else one executed template per row.
import { HEADER_FUNCS } from './docker-funcs.js';
import { alignColumns } from './tabwriter.js';
import { parseTemplate } from './template.js';

const TABLE = 'table';

// Docker's preFormat: strip the prefix and surrounding spaces, and turn the
// two-character sequences \t and \n typed in a shell into a tab and a newline.
function finalFormat(format: string): string {
  let text = format.startsWith(TABLE) ? format.slice(TABLE.length) : format === 'json' ? '{{json .}}' : format;
  text = text.replace(/^ +| +$/g, '');
  return text.replace(/\\[tn]/g, (escape) => (escape === '\\t' ? '\t' : '\n'));
}

/**
 * Formats rows like `docker ps --format FORMAT`. With a `table ` prefix the
 * header row is the same template executed over `headers` (field name →
 * column title, e.g. `{ ID: 'CONTAINER ID' }`) with Docker's header functions,
 * and cells separated by tabs are aligned (min width 10, padding 3). An empty
 * table format prints empty lines: callers substitute their default first.
 * Throws TemplateError when the format does not parse or a row fails.
 */
export function formatTable(format: string, rows: readonly unknown[], headers: Readonly<Record<string, string>>): string {
  const template = parseTemplate(finalFormat(format));
  const body = rows.map((row) => `${template.execute(row)}\n`).join('');
  if (!format.startsWith(TABLE)) return body;
  // Docker ignores a failing header and keeps what it printed.
  const header = template.run(headers, HEADER_FUNCS).output;
  return alignColumns(`${header}\n${body}`, { minWidth: 10, padding: 3 });
}
