import { expect } from 'chai';
import { CtrnetError } from '@ctrnet/core';
import { parseGoDuration, parseLogLine, parseLogTime, parseTail, renderLine, selectLines, timestamp } from '../src/logs/log-lines.js';

describe('log lines', () => {
  it('reads the supervisor stamp (centiseconds) and keeps the text as written', () => {
    expect(parseLogLine('179613123048   two  spaces')).to.deep.equal({ time: 1796131230480, text: '  two  spaces' });
    expect(parseLogLine('179613123048 ')).to.deep.equal({ time: 1796131230480, text: '' });
    expect(parseLogLine('no stamp here')).to.deep.equal({ text: 'no stamp here' });
  });

  it("prints Docker's RFC 3339 stamps with nine fraction digits", () => {
    expect(timestamp(Date.parse('2026-01-02T03:04:05.67Z'))).to.equal('2026-01-02T03:04:05.670000000Z');
    expect(renderLine({ time: Date.parse('2026-01-02T03:04:05.67Z'), text: 'x' }, true)).to.equal('2026-01-02T03:04:05.670000000Z x\n');
    expect(renderLine({ text: 'x' }, true)).to.equal('0001-01-01T00:00:00.000000000Z x\n');
    expect(renderLine({ time: 1, text: 'x' }, false)).to.equal('x\n');
  });

  const lines = [{ time: 1000, text: 'a' }, { text: 'undated' }, { time: 2000, text: 'b' }, { time: 3000, text: 'c' }];
  it('selects by --since, --until and --tail', () => {
    expect(selectLines(lines, { timestamps: false }).map((l) => l.text)).to.deep.equal(['a', 'undated', 'b', 'c']);
    expect(selectLines(lines, { timestamps: false, tail: 2 }).map((l) => l.text)).to.deep.equal(['b', 'c']);
    expect(selectLines(lines, { timestamps: false, tail: 0 })).to.deep.equal([]);
    expect(selectLines(lines, { timestamps: false, since: 2000 }).map((l) => l.text)).to.deep.equal(['b', 'c']);
    expect(selectLines(lines, { timestamps: false, until: 2000 }).map((l) => l.text)).to.deep.equal(['a', 'b']);
    expect(selectLines(lines, { timestamps: false, since: 1500, tail: 1 }).map((l) => l.text)).to.deep.equal(['c']);
  });

  it("parses Go's durations", () => {
    expect(parseGoDuration('10m')).to.equal(600_000);
    expect(parseGoDuration('1h30m')).to.equal(5_400_000);
    expect(parseGoDuration('1.5s')).to.equal(1500);
    expect(parseGoDuration('-5m')).to.equal(-300_000);
    expect(parseGoDuration('300ms')).to.equal(300);
    expect(parseGoDuration('0')).to.equal(0);
    for (const bad of ['10', '10x', 'm', '1h 30m', '']) expect(parseGoDuration(bad), bad).to.equal(undefined);
  });

  it('reads --since/--until as moby timetypes.GetTimestamp does', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(parseLogTime('10m', '--since', now)).to.equal(now - 600_000);
    expect(parseLogTime('1700000000', '--since', now)).to.equal(1_700_000_000_000);
    expect(parseLogTime('1700000000.5', '--since', now)).to.equal(1_700_000_000_500);
    expect(parseLogTime('2024-01-02T15:04:05Z', '--since', now)).to.equal(Date.parse('2024-01-02T15:04:05Z'));
    expect(parseLogTime('2024-01-02T15:04:05+02:00', '--since', now)).to.equal(Date.parse('2024-01-02T13:04:05Z'));
    expect(parseLogTime('2024-01-02', '--since', now)).to.equal(new Date(2024, 0, 2).getTime());
    for (const bad of ['abc', '10x', '2024-13-45T99:00:00Z', '5 m']) {
      expect(() => parseLogTime(bad, '--since', now)).to.throw(CtrnetError, JSON.stringify(bad));
    }
  });

  it('reads --tail N or all', () => {
    expect(parseTail('all')).to.equal(undefined);
    expect(parseTail(undefined)).to.equal(undefined);
    expect(parseTail('3')).to.equal(3);
    for (const bad of ['-1', 'x', '1.5']) expect(() => parseTail(bad)).to.throw(CtrnetError, JSON.stringify(bad));
  });
});
