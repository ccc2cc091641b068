import { expect } from 'chai';
import { ExecError } from '../src/index.js';
import { spawnOnce } from '../src/exec/spawn-once.js';

describe('spawnOnce (harmless real commands)', () => {
  const failure = async (argv: string[], input?: string) => {
    const err = await spawnOnce(argv, input).then(() => expect.fail('expected a failure'), (e: unknown) => e);
    expect(err).to.be.instanceOf(ExecError);
    return err as ExecError;
  };

  it('feeds input, keeps stdout and stderr whole, with LC_ALL=C', async () => {
    expect(await spawnOnce(['cat'], 'a\nb\n')).to.deep.equal({ stdout: 'a\nb\n', stderr: '', exitCode: 0 });
    expect((await spawnOnce(['sh', '-c', 'echo $LC_ALL; echo warn >&2'])).stderr).to.equal('warn\n');
    expect((await spawnOnce(['sh', '-c', 'echo $LC_ALL'])).stdout).to.equal('C\n');
  });

  it('rejects a non-zero exit with argv, status, stderr and input', async () => {
    const err = await failure(['sh', '-c', 'cat >/dev/null; echo "RTNETLINK answers: File exists" >&2; exit 2'], 'payload');
    expect(err).to.include({ exitCode: 2, stderr: 'RTNETLINK answers: File exists\n', input: 'payload', kind: 'exists' });
    expect(err.argv[0]).to.equal('sh');
  });

  it('reports a missing program as no-program with status 127', async () => {
    const err = await failure(['ctrnet-no-such-command-xyz']);
    expect(err).to.include({ exitCode: 127, kind: 'no-program' });
    expect(err.stderr).to.match(/spawn ctrnet-no-such-command-xyz ENOENT/);
  });

  it('reports death by signal as 128+N', async () => {
    const err = await failure(['sh', '-c', 'kill -9 $$']);
    expect(err).to.include({ exitCode: 137, stderr: 'killed by SIGKILL' });
  });

  it('does not fail when the command exits without reading its input', async () => {
    expect((await spawnOnce(['true'], 'x'.repeat(1 << 20))).exitCode).to.equal(0);
  });
});
