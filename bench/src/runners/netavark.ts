import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exec, requireExecutable, TOOL_ENV } from '../exec.js';
import { addNetns, delNetns, netnsPath } from '../netns.js';
import type { Runner, RunnerContext, RunnerDefinition } from '../runner.js';
import { hostPort } from '../runner.js';
import { CommandRunner } from '../rss.js';
import { verifyContainer } from '../verify.js';
import { netavarkOptions } from './netavark-config.js';

/** Where Debian's netavark package installs the binary (Podman finds it there too). */
const NETAVARK = '/usr/lib/podman/netavark';

/**
 * netavark 1.4 has no nftables driver (its binary says "nftables support
 * presently not available"), so iptables is the only honest choice; it is
 * forced so a running firewalld on the machine cannot change what we time.
 */
const FIREWALL_DRIVER = 'iptables';

/**
 * Podman's network backend, called as Podman calls it. setup(i) is
 * `ip netns add` + `netavark setup`; teardown(i) is `netavark teardown` +
 * `ip netns del`, the same split as the CNI runner.
 */
class NetavarkRunner implements Runner {
  readonly name = 'netavark';
  private readonly run: CommandRunner;
  private readonly configDir: string;
  private readonly env = { ...TOOL_ENV, NETAVARK_FW: FIREWALL_DRIVER };
  private version = 'unknown';
  private iptables = 'unknown';

  constructor(private readonly ctx: RunnerContext) {
    this.run = new CommandRunner(ctx.tmpDir);
    // Podman points --config at a tmpfs for aardvark-dns state; DNS is off here, but the flag is part of the call.
    this.configDir = join(ctx.tmpDir, 'netavark');
    mkdirSync(this.configDir, { recursive: true });
  }

  async prepare(): Promise<void> {
    requireExecutable(NETAVARK, 'netavark');
    this.version = (await exec([NETAVARK, '--version'])).stdout.trim();
    this.iptables = (await exec(['iptables', '--version'])).stdout.trim();
  }

  describe(): string {
    return `${this.version}, NETAVARK_FW=${FIREWALL_DRIVER} (${this.iptables}; 1.4 has no nftables driver); setup = ip netns add + netavark setup, teardown = netavark teardown + ip netns del`;
  }

  async setup(i: number): Promise<void> {
    await addNetns(this.run, this.netnsName(i));
    await this.netavark('setup', i);
  }

  async teardown(i: number): Promise<void> {
    await this.netavark('teardown', i);
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
    // netavark removes its bridge with the last container; rules die with the host namespace.
  }

  private async netavark(command: 'setup' | 'teardown', i: number): Promise<void> {
    const argv = [NETAVARK, '--config', this.configDir, command, netnsPath(this.netnsName(i))];
    await this.run.run(argv, { input: JSON.stringify(netavarkOptions(i)), env: this.env });
  }

  private netnsName(i: number): string {
    return `${this.ctx.netnsPrefix}${i}`;
  }
}

export const netavarkRunner: RunnerDefinition = {
  name: 'netavark',
  create: (ctx) => new NetavarkRunner(ctx),
};
