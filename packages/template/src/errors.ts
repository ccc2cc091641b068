/**
 * A template that does not parse, or fails while executing. The message is the
 * one line Go's text/template gives, e.g.
 * `template: :1:7: executing "" at <.Name.Foo>: can't evaluate field Foo in type interface {}`.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  /**
   * @param phase `parse` for a template that is not valid (Docker exits 64 for
   *   `inspect -f`), `exec` for one that failed on the data given.
   */
  constructor(
    readonly phase: 'parse' | 'exec',
    message: string,
  ) {
    super(message);
  }
}

/** Location prefix of a message, as Go's ErrorContext spells it: `name:line:column` (column in bytes, 0-based on line 1). */
export function location(templateName: string, text: string, pos: number): string {
  const before = text.slice(0, pos);
  const lineStart = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  const column = lineStart < 0 ? Buffer.byteLength(before) : Buffer.byteLength(before.slice(lineStart + 1));
  return `${templateName}:${line}:${column}`;
}
