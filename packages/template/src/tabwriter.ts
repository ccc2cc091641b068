// Go's text/tabwriter (as vendored by docker/cli's formatter): cells end at a
// tab, and tab-terminated cells in consecutive lines form a column padded to
// its widest cell. The last cell of a line is not part of any column, and a
// line without tabs ends every column above it.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200B-\u200F]/u;

/** Terminal columns of a cell: wide East Asian characters count two, combining marks none (like go-runewidth, roughly). */
function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let width = 0;
  for (const c of s) width += ZERO_WIDTH.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
  return width;
}

/** Aligns tab-separated text the way tabwriter.NewWriter(out, minWidth, 1, padding, ' ', 0) does. */
export function alignColumns(text: string, options: TabwriterOptions): string {
  let out = '';
  let lines: Cell[][] = [[]];
  let cell = '';
  const widths: number[] = [];

  const terminateCell = (htab: boolean): number => {
    const line = lines[lines.length - 1];
    line.push({ text: cell, width: displayWidth(cell), htab });
    cell = '';
    return line.length;
  };

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      lines[i].forEach((c, j) => {
        out += c.text;
        if (j < widths.length) out += ' '.repeat(widths[j] - c.width);
      });
      if (i + 1 < lines.length) out += '\n';
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= lines[row].length - 1) continue;
      writeLines(line0, row);
      line0 = row;
      let width = options.minWidth;
      for (; row < line1; row++) {
        const line = lines[row];
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column].width + options.padding);
      }
      widths.push(width);
      format(line0, row);
      widths.pop();
      line0 = row;
    }
    writeLines(line0, line1);
  };

  const flush = (): void => {
    if (cell.length > 0) terminateCell(false);
    format(0, lines.length);
    lines = [[]];
  };

  for (const c of text) {
    if (c === '\t' || c === '\v') terminateCell(c === '\t');
    else if (c === '\n' || c === '\f') {
      const cells = terminateCell(false);
      lines.push([]);
      // A line of one cell cannot affect the lines after it: Go flushes there.
      if (c === '\f' || cells === 1) flush();
    } else cell += c;
  }
  flush();
  return out;
}
