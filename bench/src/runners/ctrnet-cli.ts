import { mkdirSync } from 'node:fs';
import { ctrnetArgv, ctrnetEnv, type DaemonMode } from '../cli-process.js';
import { exec } from '../exec.js';
import type { Runner, RunnerContext, RunnerDefinition } from '../runner.js';
import { CONTAINER_PORT, hostPort } from '../runner.js';
import { CommandRunner } from '../rss.js';
import { verifyContainer } from '../verify.js';
import { containerName, ctrnetStateDir } from '../ctrnet.js';

/**
 * The ctrnet CLI, one process per call, as a user or a runtime would call
 * it: setup(i) is `ctrnet run -d --name ctrI -p 20000+i:80 -- sleep infinity`,
 * teardown(i) is `ctrnet rm -f ctrI`. nftables backend. `daemon` says
 * whether each call runs in-process (`never`) or through ctrnetd (`required`,
 * ctrnet-daemon.ts starts one).
 */
export class CtrnetCliRunner implements Runner {
  readonly name: string = 'ctrnet-cli';
  protected readonly stateDir: string;
  private readonly run: CommandRunner;

  constructor(
    ctx: RunnerContext,
    private readonly daemon: DaemonMode = 'never',
  ) {
    this.run = new CommandRunner(ctx.tmpDir);
    this.stateDir = ctrnetStateDir(ctx.tmpDir);
    mkdirSync(this.stateDir, { recursive: true });
  }

  protected ctrnet(...args: string[]) {
    return this.run.run(ctrnetArgv(this.stateDir, args), { env: ctrnetEnv(this.daemon) });
  }

  async prepare(): Promise<void> {
    await this.ctrnet('network', 'ls');
  }

  describe(): string {
    return 'ctrnet CLI in-process ($CTRNET_DAEMON=never), one node process per call, nftables backend; setup = ctrnet run -d ... -- sleep infinity, teardown = ctrnet rm -f';
  }

  async setup(i: number): Promise<void> {
    await this.ctrnet('run', '-d', '--name', containerName(i), '-p', `${hostPort(i)}:${CONTAINER_PORT}`, '--', 'sleep', 'infinity');
  }

  async teardown(i: number): Promise<void> {
    await this.ctrnet('rm', '-f', containerName(i));
  }

  async verify(i: number): Promise<string> {
    const [inspect] = JSON.parse((await this.ctrnet('inspect', containerName(i))).stdout) as { NetworkSettings: { SandboxKey: string } }[];
    return verifyContainer(inspect!.NetworkSettings.SandboxKey, hostPort(i));
  }

  peakRssKiB(): Promise<number | undefined> {
    return this.run.measure(async () => {
      await this.setup(0);
      await this.teardown(0);
    });
  }

  async close(): Promise<void> {
    await this.reset();
  }

  /** Removes every container, network and rule (`system reset`), in-process: it must work even when a daemon died. */
  protected async reset(): Promise<void> {
    await exec(ctrnetArgv(this.stateDir, ['system', 'reset']), { env: ctrnetEnv('never') }).catch(() => undefined);
  }
}

export const ctrnetCliRunner: RunnerDefinition = { name: 'ctrnet-cli', create: (ctx) => new CtrnetCliRunner(ctx) };
