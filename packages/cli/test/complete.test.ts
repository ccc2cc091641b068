import { expect } from 'chai';
import { candidates, locate, operandKind, type NameKind } from '../src/completion/complete.js';
import { completionScript } from '../src/completion/scripts.js';
import { buildProgram } from '../src/program.js';

const NAMES: Record<NameKind, string[]> = { container: ['web', 'db'], network: ['bridge', 'host', 'none', 'front'] };

async function complete(...words: string[]): Promise<string[]> {
  const point = locate(buildProgram({ status: 0 }), words);
  return (await candidates(point, async (kind) => NAMES[kind])).map((c) => c.value);
}

describe('shell completion', () => {
  it('completes command words at every level, without hidden commands', async () => {
    expect(await complete('')).to.include.members(['run', 'ps', 'network', 'container', 'system', 'completion']).and.not.include('__complete');
    expect(await complete('ne')).to.deep.equal(['network']);
    expect(await complete('--state-dir', '/tmp/x', 'sys')).to.deep.equal(['system']);
    expect(await complete('system', '')).to.include.members(['info', 'gc', 'prune', 'reset']).and.not.include('reap');
    expect(await complete('container', 'r')).to.have.members(['run', 'rm', 'restart', 'rename']);
  });

  it('completes flags of the command reached, with the global ones', async () => {
    expect(await complete('ps', '--f')).to.deep.equal(['--filter', '--format']);
    expect(await complete('run', '-')).to.include.members(['--publish', '-p', '--env', '-e', '--net', '--state-dir', '--help']);
    expect(await complete('network', 'ls', '--')).to.include.members(['--quiet', '--no-trunc', '--filter', '--format']);
  });

  it('completes container and network names where they go', async () => {
    expect(await complete('stop', '')).to.deep.equal(['web', 'db']);
    expect(await complete('rm', '-f', 'w')).to.deep.equal(['web']);
    expect(await complete('container', 'logs', '-f', '')).to.deep.equal(['web', 'db']);
    expect(await complete('exec', 'web', '')).to.deep.equal([]);
    expect(await complete('network', 'rm', 'f')).to.deep.equal(['front']);
    expect(await complete('network', 'connect', '')).to.deep.equal(['bridge', 'host', 'none', 'front']);
    expect(await complete('network', 'connect', 'front', '')).to.deep.equal(['web', 'db']);
    expect(await complete('run', '--net', '')).to.deep.equal(['bridge', 'host', 'none', 'front']);
    expect(await complete('run', '--link', 'd')).to.deep.equal(['db']);
    expect(await complete('run', '--name', '')).to.deep.equal([]);
  });

  it('knows which operand is which', () => {
    expect(operandKind(['rename'], 0)).to.equal('container');
    expect(operandKind(['rename'], 1)).to.equal(undefined);
    expect(operandKind(['container', 'wait'], 3)).to.equal('container');
    expect(operandKind(['network', 'create'], 0)).to.equal(undefined);
    expect(operandKind(['ps'], 0)).to.equal(undefined);
  });

  it('prints scripts that ask ctrnet __complete', () => {
    expect(completionScript('bash')).to.contain('__complete -- "${COMP_WORDS[@]:1:COMP_CWORD}"').and.contain('complete -F _ctrnet_complete ctrnet');
    expect(completionScript('zsh')).to.match(/^#compdef ctrnet\n/).and.contain('__complete -- "${(@)words[2,CURRENT]}"');
  });
});
