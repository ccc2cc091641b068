import { performance } from 'node:perf_hooks';
import { closeCtrnet, containerName, detachedSpec, openCtrnet, type OpenCtrnet, type PortBackend } from '../ctrnet.js';
import { ProfileBuilder, type RunProfile } from '../exec-profile.js';
import type { Runner, RunnerContext, RunnerDefinition } from '../runner.js';
import { CONTAINER_PORT, hostPort } from '../runner.js';
import { verifyContainer } from '../verify.js';

/**
 * ctrnet through its library API in one warm process, as a runtime embedding
 * it would call it: setup(i) is `run -d --name ctrI -p 20000+i:80 -- sleep
 * infinity` (netns, veth, address, port, and a supervised process);
 * teardown(i) is `rm -f ctrI`. Every kernel command is timed for the profile.
 */
class CtrnetApiRunner implements Runner {
  readonly name: string;
  private ctrnet?: OpenCtrnet;
  private readonly profiler = new ProfileBuilder();

  constructor(
    private readonly ctx: RunnerContext,
    private readonly backend: PortBackend,
  ) {
    this.name = `ctrnet-api-${backend}`;
  }

  async prepare(): Promise<void> {
    this.ctrnet = await openCtrnet(this.ctx.tmpDir, this.backend);
  }

  describe(): string {
    return `ctrnet library API in one process, ${this.backend} backend; setup = run -d (netns + veth + address + port + supervised sleep), teardown = rm -f`;
  }

  async setup(i: number): Promise<void> {
    const { rt, exec } = this.ctrnet!;
    const start = performance.now();
    await rt.containers.runDetached(detachedSpec(containerName(i), [`${hostPort(i)}:${CONTAINER_PORT}`], ['sleep', 'infinity']));
    this.profiler.add('setup', i, performance.now() - start, exec.take());
  }

  async teardown(i: number): Promise<void> {
    const { rt, exec } = this.ctrnet!;
    const start = performance.now();
    await rt.containers.remove(containerName(i), true);
    this.profiler.add('teardown', i, performance.now() - start, exec.take());
  }

  async verify(i: number): Promise<string> {
    return verifyContainer(this.ctrnet!.rt.containers.get(containerName(i)).sandboxKey!, hostPort(i));
  }

  profile(): RunProfile {
    return this.profiler.result();
  }

  async close(): Promise<void> {
    await closeCtrnet(this.ctrnet);
  }
}

export const ctrnetApiNftablesRunner: RunnerDefinition = { name: 'ctrnet-api-nftables', create: (ctx) => new CtrnetApiRunner(ctx, 'nftables') };
export const ctrnetApiIptablesRunner: RunnerDefinition = { name: 'ctrnet-api-iptables', create: (ctx) => new CtrnetApiRunner(ctx, 'iptables') };
