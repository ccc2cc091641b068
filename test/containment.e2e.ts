/**
 * End to end: every process of a container is contained. A container's
 * command is PID 1 of its own PID namespace and its processes share a
 * cgroup, so stop, rm and reset leave none behind, and gc kills those of a
 * container whose supervisor was SIGKILLed. Exit statuses are the command's
 * own: 7 stays 7, a SIGTERM death is 143, SIGKILL 137, a command not found
 * 127, one not executable 126.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'chai';
import { createCtrnetEnv, useTestNamespaces, type CtrnetEnv } from '@ctrnet/testkit';
import { inspect, ps } from './helpers/state.js';

/** PIDs whose command line contains `marker` as a whole word. */
function pidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A detached container whose command starts two background children (each `sleep MARKER`), then waits. */
async function family(env: CtrnetEnv, name: string, marker: string): Promise<void> {
  await env.ok('run', '-d', '--name', name, '--', 'sh', '-c', `sleep ${marker} & sleep ${marker} & wait`);
  for (let i = 0; i < 100 && pidsWith(marker).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  expect(pidsWith(marker)).to.have.length(2);
}

const status = async (env: CtrnetEnv, name: string) => (await ps(env)).find((c) => c.Name === name)?.Status;

describe('contained processes (e2e)', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();
  const marker = (tag: string) => `4${process.pid}${tag}`;

  it('leaves no process of a container after stop, rm -f, system reset, or a killed supervisor and gc', async () => {
    const env = await createCtrnetEnv(tn);
    await family(env, 'a', marker('1'));
    await env.ok('stop', '-t', '1', 'a');
    expect(pidsWith(marker('1')), 'after stop').to.deep.equal([]);
    await env.ok('start', 'a');
    for (let i = 0; i < 100 && pidsWith(marker('1')).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pidsWith(marker('1')), 'start starts one set, not a second one').to.have.length(2);
    await env.ok('rm', '-f', 'a');
    expect(pidsWith(marker('1')), 'after rm -f').to.deep.equal([]);

    await family(env, 'b', marker('2'));
    await env.ok('system', 'reset');
    expect(pidsWith(marker('2')), 'after system reset').to.deep.equal([]);

    await family(env, 'c', marker('3'));
    // The supervisor is PID 1's grandparent (supervisor sh → tini → PID 1); kill it so no exit is reported.
    const init = (await inspect(env, 'c')).State.Pid;
    const tini = Number(readFileSync(`/proc/${init}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    const supervisor = Number(readFileSync(`/proc/${tini}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    process.kill(supervisor, 'SIGKILL');
    process.kill(init, 'SIGKILL');
    for (let i = 0; i < 100 && pidsWith(marker('3')).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await env.ok('system', 'gc')).to.contain('c');
    expect(pidsWith(marker('3')), 'after a killed supervisor and gc').to.deep.equal([]);
    expect(await status(env, 'c')).to.equal('exited');
  });

  it('records the real exit status: trapped SIGTERM, SIGTERM, SIGKILL after the timeout, not found, not executable', async () => {
    const env = await createCtrnetEnv(tn);
    await env.ok('run', '-d', '--name', 'trap7', '--', 'sh', '-c', 'trap "exit 7" TERM; sleep 300 & wait');
    await env.ok('run', '-d', '--init', '--name', 'term', '--', 'sleep', '300');
    await env.ok('run', '-d', '--name', 'deaf', '--', 'sleep', '300');
    await env.ok('stop', 'trap7');
    await env.ok('stop', 'term');
    const t0 = Date.now();
    await env.ok('stop', '-t', '1', 'deaf');
    expect(Date.now() - t0, 'SIGKILL after the 1 s timeout').to.be.within(900, 8000);
    const exited = Object.fromEntries((await ps(env)).map((c) => [c.Name, c.Status]));
    expect(exited).to.deep.equal({ trap7: 'exited', term: 'exited', deaf: 'exited' });
    expect((await inspect(env, 'trap7')).State).to.include({ ExitCode: 7 });
    expect((await inspect(env, 'term')).State).to.include({ ExitCode: 143 });
    expect((await inspect(env, 'deaf')).State).to.include({ ExitCode: 137 });
    expect((await env.cli(['run', '--', '/nonexistent/command'])).exitCode, 'not found').to.equal(127);
    expect((await env.cli(['run', '--', '/etc/hosts'])).exitCode, 'not executable').to.equal(126);
    expect((await env.cli(['run', '--', 'sh', '-c', 'exit 9'])).exitCode).to.equal(9);
  });
});
