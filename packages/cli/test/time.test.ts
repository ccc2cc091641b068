import { expect } from 'chai';
import { ago, goTime, humanDuration, statusText } from '../src/listing/time.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("Docker's time wording", () => {
  // go-units HumanDuration's rules: seconds and minutes truncated, hours rounded, then days, weeks, months, years.
  const table: [number, string][] = [
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * S, '1 second'],
    [2 * S, '2 seconds'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [47 * H, '47 hours'],
    [48 * H, '2 days'],
    [13 * D, '13 days'],
    [14 * D, '2 weeks'],
    [59 * D, '8 weeks'],
    [60 * D, '2 months'],
    [729 * D, '24 months'],
    [730 * D, '2 years'],
    [3 * 365 * D, '3 years'],
  ];
  for (const [ms, words] of table) it(`${ms} ms is "${words}"`, () => expect(humanDuration(ms)).to.equal(words));

  const now = Date.parse('2026-01-01T12:00:00Z');
  const at = (ms: number) => new Date(now - ms).toISOString();

  it('words the STATUS column like moby State.String()', () => {
    expect(statusText({ Status: 'running', Started: at(5 * S) }, now)).to.equal('Up 5 seconds');
    expect(statusText({ Status: 'paused', Started: at(2 * M) }, now)).to.equal('Up 2 minutes (Paused)');
    expect(statusText({ Status: 'exited', ExitCode: 7, Started: at(10 * S), Finished: at(3 * S) }, now)).to.equal('Exited (7) 3 seconds ago');
    expect(statusText({ Status: 'exited', Started: at(2 * H), Finished: at(1 * S) }, now)).to.equal('Exited (0) 1 second ago');
    expect(statusText({ Status: 'created' }, now)).to.equal('Created');
    expect(statusText({ Status: 'exited', ExitCode: 1 }, now), 'never started').to.equal('Created');
    expect(statusText({ Status: 'removing' }, now)).to.equal('Removal In Progress');
  });

  it('words CREATED and CreatedAt', () => {
    expect(ago(at(61 * S), now)).to.equal('About a minute ago');
    expect(ago(undefined, now)).to.equal('');
    expect(goTime('2024-01-02T15:04:05.123Z')).to.equal('2024-01-02 15:04:05 +0000 UTC');
  });
});
