import { expect } from 'chai';
import { alignColumns } from '../src/tabwriter.js';

const docker = { minWidth: 10, padding: 3 };

// Expected outputs checked against Go's text/tabwriter.
describe('tabwriter', () => {
  describe('alignColumns', () => {
    it('pads tab-terminated cells of consecutive lines to one width', () => {
      expect(alignColumns('a\tbb\tc\naaaa\tb\tcc\n', { minWidth: 0, padding: 1 })).to.equal('a    bb c\naaaa b  cc\n');
    });

    it('leaves the last cell of a line out of any column', () => {
      expect(alignColumns('x\ta-very-long-tail\nyy\tz\n', docker)).to.equal('x         a-very-long-tail\nyy        z\n');
    });

    it('ends every column at a line without tabs', () => {
      expect(alignColumns('a-long-first-cell\tx\nbreak\nb\ty\n', docker)).to.equal('a-long-first-cell   x\nbreak\nb         y\n');
    });

    it('pads empty cells and keeps a trailing empty column', () => {
      expect(alignColumns('a\t\t\nb\tc\t\n', { minWidth: 0, padding: 1 })).to.equal('a   \nb c \n');
    });

    it('writes the text after the last newline as is', () => {
      expect(alignColumns('a\tb\nc', docker)).to.equal('a         b\nc');
    });
  });

  describe('cell widths', () => {
    // The column is as wide as the measured cell, so the short line's padding shows its width.
    const widthOf = (cell: string): number => alignColumns(`${cell}\t\na\tx\n`, { minWidth: 0, padding: 0 }).split('\n')[1].indexOf('x');
    it('counts ASCII and accented letters as one column', () => expect(widthOf('héllo')).to.equal(5));
    it('counts East Asian wide characters as two columns', () => expect(widthOf('数据')).to.equal(4));
    it('counts combining marks as nothing', () => expect(widthOf('e\u0301')).to.equal(1));
  });
});
