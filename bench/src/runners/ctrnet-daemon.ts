import { join } from 'node:path';
import { Ctrnetd } from '../ctrnetd.js';
import type { RssReading } from '../rss.js';
import type { RunnerContext, RunnerDefinition } from '../runner.js';
import { CtrnetCliRunner } from './ctrnet-cli.js';

/**
 * The ctrnet CLI as a thin client of ctrnetd: the same calls as ctrnet-cli
 * (`run -d --name ctrI -p 20000+i:80 -- sleep infinity`, `rm -f ctrI`,
 * nftables backend), each still a new node process, but served by a daemon
 * started in prepare() in this task's host namespace and stopped in close().
 * `$CTRNET_DAEMON=required`: a call no daemon answers fails rather than
 * quietly running in-process. Memory is the daemon's (pids, residentRss);
 * the clients' own is ctrnet-cli's minus the runtime they no longer load.
 */
class CtrnetDaemonRunner extends CtrnetCliRunner {
  override readonly name = 'ctrnet-daemon';
  private readonly daemonProcess: Ctrnetd;

  constructor(ctx: RunnerContext) {
    super(ctx, 'required');
    this.daemonProcess = new Ctrnetd(this.stateDir, join(ctx.tmpDir, 'ctrnetd.log'));
  }

  override async prepare(): Promise<void> {
    await this.daemonProcess.start();
    await super.prepare();
  }

  override describe(): string {
    return `ctrnet CLI through ctrnetd (pid ${this.daemonProcess.pid}, resident ip/nft coprocesses; $CTRNET_DAEMON=required), one node process per call, nftables backend; setup = ctrnet run -d ... -- sleep infinity, teardown = ctrnet rm -f`;
  }

  pids(): number[] {
    return [this.daemonProcess.pid];
  }

  residentRss(): RssReading | undefined {
    return this.daemonProcess.rss();
  }

  /** The daemon's memory is measured by pids(); GNU time around a client would only measure the client. */
  override peakRssKiB(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  /** Stop the daemon first: the reset then runs in-process whether or not the daemon is still healthy. */
  override async close(): Promise<void> {
    try {
      await this.daemonProcess.stop();
    } finally {
      await this.reset();
    }
  }
}

export const ctrnetDaemonRunner: RunnerDefinition = { name: 'ctrnet-daemon', create: (ctx) => new CtrnetDaemonRunner(ctx) };
