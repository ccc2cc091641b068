/**
 * Keeps ctrnet's firewall in place while ctrnetd runs. Someone may flush
 * the ruleset (`nft flush ruleset`, `iptables -F`, a firewalld reload:
 * Docker's CVE-2025-54388 was isolation lost exactly so); the guard checks
 * soon after every change the backend reports (`nft monitor`) and every
 * interval regardless, and re-applies everything from the store when
 * something is missing.
 */
import createDebug from 'debug';
import type { System } from '@ctrnet/core';

const debug = createDebug('ctrnet:daemon:firewall-guard');

/** Between periodic checks: the fallback for changes no event reports (iptables-legacy). */
export const CHECK_INTERVAL_MS = 1000;

/** A burst of change events (our own transactions, a big flush) becomes one check. */
const SETTLE_MS = 50;

export class FirewallGuard {
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly system: System,
    private readonly intervalMs = CHECK_INTERVAL_MS,
    private readonly onHeal: (missing: string[]) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
    this.check();
  }

  /** Stop watching and wait for a check in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.settle);
    this.unwatch?.();
    await this.running;
  }

  /** Something changed: check once things settle. */
  private changed = (): void => {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.check(), SETTLE_MS);
  };

  private check(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.once().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.check();
      }
    });
  }

  private async once(): Promise<void> {
    try {
      // Until a network needs a port backend there is nothing to watch; try again on the next tick.
      this.unwatch ??= await this.system.watchFirewall(this.changed);
      const missing = await this.system.heal();
      if (missing.length) {
        debug('re-applied the firewall: %o', missing);
        this.onHeal(missing);
      }
    } catch (err) {
      debug('firewall check failed: %O', err);
    }
  }
}
