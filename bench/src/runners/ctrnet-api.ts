import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRunSpec, loadConfig, parsePublishSpec, Runtime } from '@ctrnet/core';
import type { Runner, RunnerContext, RunnerDefinition } from '../runner.js';
import { CONTAINER_PORT, hostPort } from '../runner.js';
import { verifyContainer } from '../verify.js';

/** The CLI script detached containers report their exit to. */
export const CTRNET_CLI = fileURLToPath(new URL('../../../packages/cli/bin/ctrnet.js', import.meta.url));

/**
 * ctrnet through its library API in one warm process, as a runtime embedding
 * it would call it: setup(i) is `run -d --name cI -p 20000+i:80 -- sleep
 * infinity` (netns, veth, address, port, and a supervised process);
 * teardown(i) is `rm -f cI`.
 */
class CtrnetApiRunner implements Runner {
  readonly name: string;
  private rt?: Runtime;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly backend: 'nftables' | 'iptables',
  ) {
    this.name = `ctrnet-api-${backend}`;
  }

  async prepare(): Promise<void> {
    const stateDir = join(this.ctx.tmpDir, 'state');
    mkdirSync(stateDir, { recursive: true });
    const config = { ...loadConfig({ stateDir, env: {} }), portBackend: this.backend, portBackendSource: 'the bench' };
    this.rt = await Runtime.open({ config, reaper: { node: process.execPath, cli: CTRNET_CLI } });
  }

  describe(): string {
    return `ctrnet library API in one process, ${this.backend} backend; setup = run -d (netns + veth + address + port + supervised sleep), teardown = rm -f`;
  }

  async setup(i: number): Promise<void> {
    const spec = defaultRunSpec(['sleep', 'infinity']);
    spec.name = `c${i}`;
    spec.detach = true;
    spec.publish = [parsePublishSpec(`${hostPort(i)}:${CONTAINER_PORT}`)];
    spec.given = ['publish'];
    await this.rt!.containers.runDetached(spec);
  }

  async teardown(i: number): Promise<void> {
    await this.rt!.containers.remove(`c${i}`, true);
  }

  async verify(i: number): Promise<string> {
    return verifyContainer(this.rt!.containers.get(`c${i}`).sandboxKey!, hostPort(i));
  }

  async close(): Promise<void> {
    if (!this.rt) return;
    await this.rt.system.reset();
    this.rt.close();
  }
}

export const ctrnetApiNftablesRunner: RunnerDefinition = { name: 'ctrnet-api-nftables', create: (ctx) => new CtrnetApiRunner(ctx, 'nftables') };
export const ctrnetApiIptablesRunner: RunnerDefinition = { name: 'ctrnet-api-iptables', create: (ctx) => new CtrnetApiRunner(ctx, 'iptables') };
