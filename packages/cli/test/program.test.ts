import { expect } from 'chai';
import { Command } from 'commander';
import { COMMAND_GROUPS, buildProgram, commandWords } from '../src/program.js';

const wordsOf = (parent: Command) => parent.commands.flatMap((c) => [c.name(), ...c.aliases()]);

describe('command groups', () => {
  it('say exactly which command words each registrar defines, at the top and under container', () => {
    for (const group of COMMAND_GROUPS) {
      for (const form of ['top', 'container'] as const) {
        // buildProgram calls a registrar only for the forms it has words for.
        if (!group[form].length) continue;
        const parent = new Command('x').enablePositionalOptions();
        group.register(parent, { status: 0 }, form);
        expect(wordsOf(parent), `${group.register.name} (${form})`).to.have.members([...group[form]]);
      }
    }
  });

  it('register only the group of the command word, or everything', () => {
    expect(wordsOf(buildProgram({ status: 0 }, ['ps']))).to.deep.equal(['ps']);
    expect(wordsOf(buildProgram({ status: 0 }, ['network', 'ls']))).to.deep.equal(['network']);
    const container = buildProgram({ status: 0 }, ['container', 'ls']).commands.find((c) => c.name() === 'container')!;
    expect(wordsOf(container)).to.deep.equal(['ls', 'list', 'ps']);
    const all = buildProgram({ status: 0 });
    expect(wordsOf(all)).to.include.members([...COMMAND_GROUPS.flatMap((g) => g.top), 'container']);
    expect(wordsOf(buildProgram({ status: 0 }, ['frobnicate']))).to.have.length(wordsOf(all).length);
  });

  it('find the command words past global options', () => {
    expect(commandWords(['--state-dir', '/x', '--debug', 'network', 'ls', '-q'])).to.deep.equal(['network', 'ls']);
    expect(commandWords(['--config', 'c.json', 'run', '-d', 'sleep'])).to.deep.equal(['run']);
    expect(commandWords(['--help'])).to.deep.equal([]);
  });
});
