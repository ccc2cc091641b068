import { expect } from 'chai';
import { splitShortEquals, type OptionShapes } from '../src/argv.js';

const run: OptionShapes = {
  shortWithValue: new Set(['e', 'p', 'h', 'l']),
  shortBoolean: new Set(['i', 't', 'd', 'P']),
  longWithValue: new Set(['--name', '--env']),
  stopsAtOperand: true,
};

describe("pflag's -x=value", () => {
  const cases: [string[], string[]][] = [
    [['-e=A=1'], ['-e', 'A=1']],
    [['-p=8080:80', '-e=B'], ['-p', '8080:80', '-e', 'B']],
    [['-e='], ['-e', '']],
    [['-ite=A=1'], ['-ite', 'A=1']],
    [['-dp=80'], ['-dp', '80']],
    // Already pflag's and commander's reading: left alone.
    [['-eA=1'], ['-eA=1']],
    [['-e', '-p=1'], ['-e', '-p=1']],
    [['--env', '-e=x'], ['--env', '-e=x']],
    [['--name=-e=x'], ['--name=-e=x']],
    [['-it'], ['-it']],
    // An unknown letter: commander reports it as it is.
    [['-x=1'], ['-x=1']],
    // After --, and from the first operand of a command that stops there (the container's own command).
    [['--', '-e=1'], ['--', '-e=1']],
    [['sh', '-e=1'], ['sh', '-e=1']],
    [['-d', 'sh', '-c', 'x', '-p=1'], ['-d', 'sh', '-c', 'x', '-p=1']],
  ];
  for (const [input, expected] of cases) {
    it(`${input.join(' ')} → ${expected.join(' ')}`, () => expect(splitShortEquals(input, run)).to.deep.equal(expected));
  }

  it('goes on past operands for commands that read options anywhere', () => {
    const rm: OptionShapes = { shortWithValue: new Set(['t']), shortBoolean: new Set(['f']), longWithValue: new Set(), stopsAtOperand: false };
    expect(splitShortEquals(['c1', '-t=5', 'c2'], rm)).to.deep.equal(['c1', '-t', '5', 'c2']);
  });
});
