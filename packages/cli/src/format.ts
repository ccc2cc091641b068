/**
 * `--format` as Docker reads it: `table` (or nothing) for the default
 * columns, `json` for machine-readable JSON, `table TEMPLATE` for a Go
 * template with a header row, any other text for a Go template per row.
 * The template engine is loaded only when a template is given: plain
 * listings must not pay for it at start-up.
 */
import { invalidArgument } from '@ctrnet/core/api';
import type { TemplateError } from '@ctrnet/template';
import { table } from './output.js';

/** A format that is not one of the fixed words is a template. */
export function isTemplate(format: string | undefined): format is string {
  return format !== undefined && format !== '' && format !== 'table' && format !== 'json';
}

/** How one listing prints: rows for templates, their titles, the default columns, the JSON form. */
export interface Listing<Row extends object> {
  rows: readonly Row[];
  headers: Readonly<Record<keyof Row & string, string>>;
  columns: readonly (keyof Row & string)[];
  json: () => string;
}

/** The listing printed in `format` (see the module comment). */
export async function formatListing<Row extends object>(format: string | undefined, listing: Listing<Row>): Promise<string> {
  if (format === 'json') return listing.json();
  if (!isTemplate(format)) {
    const cells = (row: Row) => listing.columns.map((c) => String(row[c as keyof Row]));
    return table(
      listing.columns.map((c) => listing.headers[c]),
      listing.rows.map(cells),
    );
  }
  const { formatTable } = await import('@ctrnet/template');
  try {
    return formatTable(format, listing.rows, listing.headers);
  } catch (err) {
    throw templateFailure(format, err);
  }
}

/**
 * A template for single objects (`inspect -f`, `system info --format`): each
 * object's output and a newline, as Docker prints them. Like `docker
 * inspect`, a failing execution is retried on the raw data with
 * missingkey=error, and that error is the one reported.
 */
export async function objectTemplate(format: string): Promise<(data: unknown) => string> {
  const { parseTemplate } = await import('@ctrnet/template');
  let template: ReturnType<typeof parseTemplate>;
  try {
    template = parseTemplate(format);
  } catch (err) {
    throw templateFailure(format, err);
  }
  return (data) => {
    try {
      return `${template.execute(data)}\n`;
    } catch {
      try {
        return `${template.execute(data, { missingKey: 'error' })}\n`;
      } catch (err) {
        throw templateFailure(format, err);
      }
    }
  };
}

/** A template that does not parse or fails on the data: a usage error (exit 2), one line, with Go's position. */
export function templateFailure(format: string, err: unknown): unknown {
  if (!isTemplateError(err)) return err;
  const message = err.message.replace(/\n/g, ' ');
  const quoted = JSON.stringify(format);
  return invalidArgument(err.phase === 'parse' ? `invalid --format ${quoted}: ${message}` : `--format ${quoted} failed: ${message}`);
}

function isTemplateError(err: unknown): err is TemplateError {
  return err instanceof Error && err.name === 'TemplateError' && 'phase' in err;
}
