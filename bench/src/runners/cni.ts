import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exec, requireExecutable } from '../exec.js';
import { addNetns, delNetns, netnsPath } from '../netns.js';
import type { Runner, RunnerContext, RunnerDefinition } from '../runner.js';
import { hostPort } from '../runner.js';
import { CommandRunner } from '../rss.js';
import { verifyContainer } from '../verify.js';
import { benchConfList, benchRuntimeConfig, type JsonObject } from './cni-config.js';
import { CNI_PATH, PluginListExecutor, type Attachment } from './libcni.js';

/**
 * CNI reference plugins driven the way libcni drives them. setup(i) is
 * `ip netns add` + ADD (bridge, portmap); teardown(i) is DEL (portmap,
 * bridge) + `ip netns del`, so it matches what a runtime pays per container.
 */
class CniRunner implements Runner {
  readonly name = 'cni';
  private readonly run: CommandRunner;
  private readonly plugins: PluginListExecutor;
  /** libcni caches ADD results on disk for DEL; in memory is enough here. */
  private readonly results = new Map<number, JsonObject>();
  private version = 'unknown';
  private firewall = 'unknown';

  constructor(private readonly ctx: RunnerContext) {
    const dataDir = join(ctx.tmpDir, 'host-local');
    mkdirSync(dataDir, { recursive: true });
    this.run = new CommandRunner(ctx.tmpDir);
    this.plugins = new PluginListExecutor(this.run, benchConfList(dataDir));
  }

  async prepare(): Promise<void> {
    this.version = (await exec(['dpkg-query', '-W', '-f=${Version}', 'containernetworking-plugins'])).stdout;
    // portmap and bridge's ipMasq in 1.1.1 only speak iptables; which iptables backend it is matters.
    this.firewall = (await exec(['iptables', '--version'])).stdout.trim();
    for (const type of ['bridge', 'host-local', 'portmap']) {
      requireExecutable(`${CNI_PATH}/${type}`, 'containernetworking-plugins');
    }
  }

  describe(): string {
    return `containernetworking-plugins ${this.version}: bridge+host-local+portmap, firewall ${this.firewall}; setup = ip netns add + ADD, teardown = DEL + ip netns del`;
  }

  async setup(i: number): Promise<void> {
    await addNetns(this.run, this.netnsName(i));
    this.results.set(i, await this.plugins.add(this.attachment(i), benchRuntimeConfig(i)));
  }

  async teardown(i: number): Promise<void> {
    await this.plugins.del(this.attachment(i), benchRuntimeConfig(i), this.results.get(i));
    this.results.delete(i);
    await delNetns(this.run, this.netnsName(i));
  }

  verify(i: number): Promise<string> {
    return verifyContainer(netnsPath(this.netnsName(i)), hostPort(i));
  }

  /** Container 0 (host port 20000) is never part of the timed run, so it can serve as the probe. */
  peakRssKiB(): Promise<number | undefined> {
    return this.run.measure(async () => {
      await this.setup(0);
      await this.teardown(0);
    });
  }

  async close(): Promise<void> {
    // The bridge and host-local files live in the throwaway host namespace and scratch dir.
  }

  private netnsName(i: number): string {
    return `${this.ctx.netnsPrefix}${i}`;
  }

  private attachment(i: number): Attachment {
    return { containerId: `cni-bench-${i}`, netns: netnsPath(this.netnsName(i)), ifname: 'eth0' };
  }
}

export const cniRunner: RunnerDefinition = {
  name: 'cni',
  create: (ctx) => new CniRunner(ctx),
};
