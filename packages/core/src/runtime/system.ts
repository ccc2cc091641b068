import { readFileSync } from 'node:fs';
import createDebug from 'debug';
import { runUndo } from '../saga.js';
import type { LoadedPlugin } from '../registry.js';
import type { Attacher } from './attach.js';
import type { Containers } from './containers.js';
import { pluginContext, type RuntimeContext } from './context.js';
import { firewallState } from './firewall-state.js';
import { isAlive } from './process.js';
import { choosePublisher } from './publisher-choice.js';
import type { UndoKit } from './undo.js';

const debug = createDebug('ctrnet:core:system');

export interface SystemInfo {
  version: string;
  stateDir: string;
  config?: string;
  plugins: readonly LoadedPlugin[];
  portBackend: { name: string; reason: string };
}

/** gc, reload, reset, info: the whole-installation operations. */
export class System {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly containers: Containers,
    private readonly attacher: Attacher,
    private readonly undo: UndoKit,
    private readonly version: string,
  ) {}

  async info(): Promise<SystemInfo> {
    // A setup without bridge networks (e.g. macvlan only) may load no port backend at all.
    const choice = await choosePublisher(this.ctx).catch((err: Error) => ({ publisher: { name: 'none' }, reason: err.message }));
    return {
      version: this.version,
      stateDir: this.ctx.config.stateDir,
      config: this.ctx.config.source,
      plugins: this.ctx.registry.plugins(),
      portBackend: { name: choice.publisher.name, reason: choice.reason },
    };
  }

  /**
   * Reconcile the store with the kernel after a crash or reboot. Returns one
   * line per thing it fixed. Idempotent: a second run returns nothing.
   */
  async gc(): Promise<string[]> {
    return this.ctx.store.lock.withLock(async () => {
      const fixed: string[] = [];
      // 1. Operations whose process died: run their journalled undo (or roll-forward) records.
      for (const op of this.ctx.store.openOperations()) {
        if (op.pid !== process.pid && processRunning(op.pid)) continue;
        const failures = await runUndo(this.undo.undoers, op.undo);
        this.ctx.store.closeOperation(op.id);
        fixed.push(`finished interrupted operation "${op.name}" (${op.undo.length} step${op.undo.length === 1 ? '' : 's'}${failures.length ? `, ${failures.length} failed` : ''})`);
        for (const f of failures) debug('gc undo failure: %O', f);
      }
      // 2. Containers whose process vanished (killed, reboot): release them like their reaper would have.
      for (const c of this.ctx.store.containers<{ autoRemove?: boolean }>()) {
        if (c.status === 'running' && !isAlive(c.pid, c.pidStart)) {
          if (c.spec.autoRemove) {
            await this.containers.finishRemove(c.id);
            fixed.push(`removed container ${c.name} (its foreground run died)`);
          } else {
            await this.attacher.detach(this.containers.get(c.id));
            this.ctx.store.updateContainer({ ...this.containers.get(c.id), status: 'exited', pid: undefined, pidStart: undefined, finished: new Date().toISOString() });
            fixed.push(`marked container ${c.name} exited and released its network (its process is gone)`);
          }
        } else if (c.status === 'created') {
          await this.containers.finishRemove(c.id);
          fixed.push(`removed half-created container ${c.name}`);
        }
      }
      // 3. Reservations and addresses whose owner is not running (CNI host-local's reboot leak).
      const running = new Set(this.ctx.store.containers().filter((c) => c.status === 'running').map((c) => c.id));
      const staleOwners = new Set([
        ...this.ctx.store.allPorts().map((p) => p.containerId),
        ...this.ctx.store.addressOwners(),
      ]);
      for (const owner of staleOwners) {
        if (running.has(owner)) continue;
        const ports = this.ctx.store.portsOfContainer(owner);
        if (ports.length) {
          await this.undo.unpublish(ports);
          this.ctx.store.releasePortsOf(owner);
          fixed.push(`released ${ports.length} port reservation(s) of ${owner.slice(0, 12)}`);
        }
        const addresses = this.ctx.store.releaseAddressesOf(owner);
        if (addresses) fixed.push(`released ${addresses} address(es) of ${owner.slice(0, 12)}`);
      }
      // 4. Networks whose kernel objects vanished (reboot): re-create them.
      for (const network of this.ctx.store.networks()) {
        const driver = this.ctx.registry.networkDriver(network.driver);
        const bridge = network.driverData.bridge;
        if (bridge && !(await this.linkExists(bridge))) {
          await driver.createNetwork(pluginContext(this.ctx, 'driver', driver.name), network);
          fixed.push(`re-created missing bridge ${bridge} of network ${network.name}`);
        }
      }
      return fixed;
    });
  }

  /** Re-apply every firewall rule from the store (after `nft flush ruleset` / `iptables -F`). */
  async reload(): Promise<string> {
    return this.ctx.store.lock.withLock(async () => {
      const publisher = await this.ctx.publisher();
      await publisher.reload(pluginContext(this.ctx, 'ports', publisher.name), firewallState(this.ctx));
      return publisher.name;
    });
  }

  /** Remove every container, network, rule and interface this installation made. */
  async reset(): Promise<string[]> {
    const removed: string[] = [];
    for (const c of this.ctx.store.containers()) {
      await this.containers.remove(c.id, true);
      removed.push(`container ${c.name}`);
    }
    await this.ctx.store.lock.withLock(async () => {
      for (const op of this.ctx.store.openOperations()) {
        await runUndo(this.undo.undoers, op.undo);
        this.ctx.store.closeOperation(op.id);
      }
      for (const network of this.ctx.store.networks()) {
        await this.undo.removeNetwork(network);
        removed.push(`network ${network.name}`);
      }
      for (const name of this.ctx.registry.portPublisherNames()) {
        await this.ctx.registry.portPublisher(name).reset(pluginContext(this.ctx, 'ports', name));
      }
      this.ctx.store.clearAllocations();
    });
    return removed;
  }

  private async linkExists(name: string): Promise<boolean> {
    try {
      await this.ctx.exec.run(['ip', '-o', 'link', 'show', 'dev', name]);
      return true;
    } catch {
      return false;
    }
  }
}

function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
