import { expect } from 'chai';
import type { Command, Option } from 'commander';
import { PS_FLAGS, readCommonLine, RM_FLAGS, RUN_FLAGS, type FlagKind, type FlagTable } from '../../src/fast/argv.js';
import { buildProgram, commandWords } from '../../src/program.js';
import { collect } from '../../src/session.js';

/** What commander made of a line: the command's options and operands and the program's, just before the action would run. */
interface Parsed {
  command: string;
  opts: Record<string, unknown>;
  operands: string[];
  globals: Record<string, unknown>;
}

class Captured extends Error {
  constructor(readonly parsed: Parsed) {
    super('captured');
  }
}

/** commander's reading of `argv` through the program the CLI builds, or undefined when it rejects the line. */
async function commanderReads(argv: string[]): Promise<Parsed | undefined> {
  const program = buildProgram({ status: 0 }, commandWords(argv));
  program.hook('preAction', (_program, action) => {
    const operands = (action.processedArgs[0] as string[] | undefined) ?? [];
    throw new Captured({ command: action.name(), opts: { ...action.opts() }, operands, globals: { ...program.opts() } });
  });
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof Captured) return err.parsed;
    return undefined;
  } finally {
    process.stderr.write = write;
  }
  throw new Error(`the action of ${argv.join(' ')} ran`);
}

const command = (name: string): Command => buildProgram({ status: 0 }, [name]).commands.find((c) => c.name() === name)!;

function kindOf(option: Option): FlagKind {
  if (option.negate) return 'negate';
  if (!option.required) return 'boolean';
  return option.parseArg === collect ? 'list' : 'value';
}

describe('fast path: reading the common command lines', () => {
  const tables: [string, FlagTable][] = [
    ['run', RUN_FLAGS],
    ['rm', RM_FLAGS],
    ['ps', PS_FLAGS],
  ];
  for (const [name, table] of tables) {
    it(`knows ${name}'s options as the command defines them`, () => {
      const options = command(name).options as readonly Option[];
      for (const [word, spec] of Object.entries(table)) {
        const option = options.find((o) => o.short === word || o.long === word);
        expect(option, `${name} ${word}`).to.not.equal(undefined);
        expect(option!.attributeName(), `${name} ${word}`).to.equal(spec.key);
        expect(kindOf(option!), `${name} ${word}`).to.equal(spec.kind);
      }
    });
  }

  // Every line commander takes and the fast path takes too must read the same; the first group must be taken.
  const taken: string[][] = [
    ['run', '-d', '--name', 'web', '-p', '8080:80', '--', 'sleep', 'infinity'],
    ['--state-dir', '/tmp/s', 'run', '-d', '-p', '8080:80', 'sleep', 'infinity'],
    ['--config=/etc/c.json', '--state-dir=/s', 'run', '--detach', '--name=web', '--publish=1:2', '--publish', '3:4', 'sh', '-c', 'x'],
    ['run', '-dp', '8080:80', 'sleep', '1'],
    ['run', '-dp8080:80', 'sleep', '1'],
    ['run', '-d', '-p=8080:80', '-e=A=1', '-e', 'B=2', '-l', 'k=v', '--rm', '--init', 'true'],
    ['run', '-d', '--net', 'red', '--ip', '10.0.0.9', '-h', 'box', '-w', '/tmp', '-u', '0:0', '--network-alias', 'db', 'true'],
    ['run', '-d', '--name', 'web', 'sleep', '--', '-p', 'x'],
    ['run', '-d', '--name=', 'true'],
    ['run', '-d', '-p=', 'true'],
    ['rm', '-f', 'web'],
    ['rm', 'a', '-f', 'b'],
    ['rm', '--force', 'a', 'b', 'c'],
    ['rm', 'web'],
    ['rm', '-f', '--', '-web'],
    ['--state-dir', '/s', 'rm', '-f', 'web'],
    ['ps'],
    ['ps', '-a'],
    ['ps', '-aq'],
    ['ps', '-qa', '--no-trunc'],
    ['ps', '--all', '--quiet'],
    ['--config', 'c.json', 'ps', '-a'],
  ];
  // Lines it leaves to the full program (other commands, forms it does not read, mistakes commander reports).
  const left: string[][] = [
    [],
    ['--version'],
    ['--help'],
    ['--debug', 'ps'],
    ['--', 'ps'],
    ['help', 'ps'],
    ['container', 'ls'],
    ['network', 'ls'],
    ['run', 'sleep', '1'],
    ['run', '-it', 'sh'],
    ['run', '-d', '-t', 'sh'],
    ['run', '-d', '--detach-keys', 'ctrl-a', 'sh'],
    ['run', '-d'],
    ['run', '-d', '--name'],
    ['run', '-d', '--name', '-x', 'true'],
    ['run', '-d', '--help'],
    ['run', '-d', '-1', 'x'],
    ['run', '-d', '-dx', 'true'],
    ['run', '-d', '--rm=yes', 'true'],
    ['run', '--state-dir', '/s', '-d', 'true'],
    ['rm'],
    ['rm', '-f'],
    ['rm', '-f=1', 'x'],
    ['rm', '-x', 'web'],
    ['ps', 'extra'],
    ['ps', '--format', 'json'],
    ['ps', '-f', 'name=x'],
    ['ps', '-n', '2'],
    ['ps', '-aqx'],
    ['--state-dir', 'ps'],
    ['--state-dir'],
    ['--stat-dir', '/s', 'ps'],
  ];

  it('reads every line it takes as commander does', async () => {
    for (const argv of [...taken, ...left]) {
      const fast = readCommonLine(argv);
      if (!fast) continue;
      const parsed = await commanderReads(argv);
      const label = argv.join(' ');
      expect(parsed, `commander rejects ${label}`).to.not.equal(undefined);
      expect(fast.command, label).to.equal(parsed!.command);
      expect(fast.opts, label).to.deep.equal(parsed!.opts);
      expect(fast.operands, label).to.deep.equal(parsed!.operands);
      expect(fast.inputs, label).to.deep.equal({ configPath: parsed!.globals.config, stateDir: parsed!.globals.stateDir });
    }
  });

  it('takes the common lines', () => {
    for (const argv of taken) expect(readCommonLine(argv), argv.join(' ')).to.not.equal(undefined);
  });

  it('leaves the rest to the full program', () => {
    for (const argv of left) expect(readCommonLine(argv), argv.join(' ')).to.equal(undefined);
  });
});
