/**
 * Plain-text tables like Docker's (Go's tabwriter as docker/cli sets it up:
 * minimum width 10, padding 3): each column as wide as its widest cell plus
 * three spaces, at least ten; the last column unpadded.
 */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(MIN_WIDTH, PADDING + Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

const MIN_WIDTH = 10;
const PADDING = 3;

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
