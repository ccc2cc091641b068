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
 * teardown(i) is `rm -f ctrI`. Every kernel command is timed for the
 * profile, and the network part of each is timed apart: CNI's and
 * netavark's runners do only that part (no process to start or kill).
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

  /** The network part ends when both the interface is in place and the port published (they run side by side; the process starts after). */
  async setup(i: number): Promise<void> {
    const { rt, exec } = this.ctrnet!;
    const done: number[] = [];
    const mark = () => void done.push(performance.now());
    const offs = [rt.ctx.bus.on('endpoint.join', mark), rt.ctx.bus.on('port.publish', mark)];
    const start = performance.now();
    try {
      await rt.containers.runDetached(detachedSpec(containerName(i), [`${hostPort(i)}:${CONTAINER_PORT}`], ['sleep', 'infinity']));
    } finally {
      for (const off of offs) off();
    }
    this.profiler.add('setup', i, performance.now() - start, exec.take(), done.length === 2 ? Math.max(...done) - start : Number.NaN);
  }

  /**
   * The network part is the release: from its first kernel command (the
   * rules' removal and the interfaces' cut-off run side by side; killing the
   * process before them is not one) to the end of the last (the namespace's
   * deletion, or the rules'). A pool refill or session close still running
   * from the last setup is not part of it.
   */
  async teardown(i: number): Promise<void> {
    const { rt, exec } = this.ctrnet!;
    const start = performance.now();
    await rt.containers.remove(containerName(i), true);
    const wall = performance.now() - start;
    const calls = exec.take();
    const release = calls.filter((c) => c.label !== 'netns add' && c.label !== 'netns session close');
    const network = release.length ? Math.max(...release.map((c) => c.start + c.ms)) - Math.min(...release.map((c) => c.start)) : undefined;
    this.profiler.add('teardown', i, wall, calls, network);
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
