import { expect } from 'chai';
import { formatTable, TemplateError } from '../src/index.js';

const rows = [
  { ID: '4fa6e0f0c678', Names: 'web', Status: 'Up 2 hours' },
  { ID: '9b1d2c3e4f50', Names: 'a-long-database-name', Status: 'Exited (0) 3 days ago' },
];
const headers = { ID: 'CONTAINER ID', Names: 'NAMES', Status: 'STATUS' };

describe('table', () => {
  describe('formatTable', () => {
    it('prints a header row and pads each column to its widest cell plus 3', () => {
      expect(formatTable('table {{.ID}}\t{{.Names}}\t{{.Status}}', rows, headers)).to.equal(
        [
          'CONTAINER ID   NAMES                  STATUS',
          '4fa6e0f0c678   web                    Up 2 hours',
          '9b1d2c3e4f50   a-long-database-name   Exited (0) 3 days ago',
          '',
        ].join('\n'),
      );
    });

    it('reads a backslash-t typed in a shell as a tab, as Docker does', () => {
      const typed = formatTable('table {{.ID}}\\t{{.Names}}', rows, headers);
      expect(typed).to.equal(formatTable('table {{.ID}}\t{{.Names}}', rows, headers));
      expect(typed.split('\n')[0]).to.equal('CONTAINER ID   NAMES');
    });

    it('keeps a column at least 10 wide', () => {
      expect(formatTable('table {{.Names}}\\t{{.ID}}', [{ Names: 'a', ID: 'b' }], { Names: 'N', ID: 'I' })).to.equal('N         I\na         b\n');
    });

    it('shows column titles unchanged through json, upper and truncate', () => {
      const out = formatTable('table {{upper .Names}}\\t{{json .Status}}\\t{{truncate .ID 4}}', rows, headers);
      expect(out.split('\n')[0]).to.equal('NAMES                  STATUS                    CONTAINER ID');
      expect(out.split('\n')[1]).to.equal('WEB                    "Up 2 hours"              4fa6');
    });

    it('prints only the header when there are no rows', () => {
      expect(formatTable('table {{.ID}}\\t{{.Names}}', [], headers)).to.equal('CONTAINER ID   NAMES\n');
    });

    it('counts wide characters as two columns', () => {
      const out = formatTable('table {{.Names}}\\t{{.ID}}', [{ Names: '数据库数据库', ID: 'x' }, { Names: 'web', ID: 'y' }], headers);
      expect(out.split('\n')).to.deep.equal(['NAMES          CONTAINER ID', '数据库数据库   x', 'web            y', '']);
    });

    it('prints one line per row without a header when the format is not a table', () => {
      expect(formatTable('{{.Names}}: {{.Status}}', rows, headers)).to.equal('web: Up 2 hours\na-long-database-name: Exited (0) 3 days ago\n');
    });

    it('prints one JSON object per row for the json format', () => {
      expect(formatTable('json', [{ b: 1, a: 'x' }], {})).to.equal('{"a":"x","b":1}\n');
    });

    it('fails with a parse error for a format that does not parse', () => {
      expect(() => formatTable('table {{.ID', rows, headers)).to.throw(TemplateError, 'unclosed action').with.property('phase', 'parse');
    });

    it('fails with an execution error when a row fails', () => {
      expect(() => formatTable('{{.ID.x}}', rows, headers)).to.throw(TemplateError, "can't evaluate field x in type string").with.property('phase', 'exec');
    });
  });
});
