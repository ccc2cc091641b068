import { readFileSync } from 'node:fs';
import createDebug from 'debug';
import { runUndo } from '../saga.js';
import type { SystemInfo } from '../api/types.js';
import type { Attacher } from './attach.js';
import type { Containers } from './containers.js';
import { dnsRedirects, pluginContext, setDnsRedirects, type RuntimeContext } from './context.js';
import { nameTable, resolverNeeded, type NameTable } from './dns-scope.js';
import { firewallState } from './firewall-state.js';
import { loopbackProxyAlive, loopbackTargets, startLoopbackProxy } from './loopback-proxy.js';
import { containerDir } from './paths.js';
import { isAlive } from './processes.js';
import { activeBackend, choosePublisher } from './publisher-choice.js';
import type { Pools } from './pools.js';
import type { Sandboxes } from './sandboxes.js';
import type { UndoKit } from './undo.js';

const debug = createDebug('ctrnet:core:system');

/** gc, reload, reset, info: the whole-installation operations. */
export class System {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly containers: Containers,
    private readonly attacher: Attacher,
    private readonly undo: UndoKit,
    private readonly version: string,
    private readonly sandboxes: Sandboxes,
    private readonly pools: Pools,
  ) {}

  async info(): Promise<Omit<SystemInfo, 'server'>> {
    // A setup without bridge networks (e.g. macvlan only) may load no port backend at all.
    const choice = await choosePublisher(this.ctx).catch((err: Error) => ({ publisher: { name: 'none' }, reason: err.message }));
    return {
      version: this.version,
      stateDir: this.ctx.config.stateDir,
      config: this.ctx.config.source,
      plugins: [...this.ctx.registry.plugins()],
      portBackend: { name: choice.publisher.name, reason: choice.reason },
      sections: await Promise.all(
        this.ctx.registry.infoSections().map(async (section) => ({
          title: section.title,
          lines: await section.lines(pluginContext(this.ctx, 'info', section.title)).catch((err: Error) => [`error: ${err.message}`]),
        })),
      ),
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
      for (const op of this.ctx.store.operations.open()) {
        if (op.pid !== process.pid && processRunning(op.pid)) continue;
        const failures = await runUndo(this.undo.undoers, op.undo);
        this.ctx.store.operations.close(op.id);
        fixed.push(`finished interrupted operation "${op.name}" (${op.undo.length} step${op.undo.length === 1 ? '' : 's'}${failures.length ? `, ${failures.length} failed` : ''})`);
        for (const f of failures) debug('gc undo failure: %O', f);
      }
      // 2. Namespaces of other engines that are gone (a missed CNI DEL or OCI poststop); then
      //    containers whose process vanished (killed, reboot): release them like their reaper would have.
      fixed.push(...(await this.sandboxes.reconcile()));
      for (const c of this.ctx.store.containers.all<{ autoRemove?: boolean }>()) {
        if (c.sandboxKind === 'external') continue;
        if ((c.status === 'running' || c.status === 'paused') && !isAlive(c.pid, c.pidStart)) {
          if (c.spec.autoRemove) {
            await this.containers.finishRemove(c.id);
            fixed.push(`removed container ${c.name} (its foreground run died)`);
          } else {
            await this.attacher.detach(this.containers.get(c.id));
            this.ctx.store.containers.update({ ...this.containers.get(c.id), status: 'exited', pid: undefined, pidStart: undefined, finished: this.ctx.clock.now().toISOString() });
            fixed.push(`marked container ${c.name} exited and released its network (its process is gone)`);
          }
        } else if (c.status === 'created') {
          await this.containers.finishRemove(c.id);
          fixed.push(`removed half-created container ${c.name}`);
        }
      }
      // 3. Reservations and addresses whose owner is not running (CNI host-local's reboot leak).
      // Addresses leased to a pool (ipam.requestAddress) belong to the lease until a sandbox takes them.
      const running = new Set([...this.ctx.store.containers.all().filter((c) => c.status === 'running' || c.status === 'paused').map((c) => c.id), ...this.pools.ids()]);
      const staleOwners = new Set([
        ...this.ctx.store.ports.all().map((p) => p.containerId),
        ...this.ctx.store.addresses.owners(),
      ]);
      for (const owner of staleOwners) {
        if (running.has(owner)) continue;
        const ports = this.ctx.store.ports.ofContainer(owner);
        if (ports.length) {
          await this.undo.unpublish(ports);
          this.ctx.store.ports.releaseOf(owner);
          fixed.push(`released ${ports.length} port reservation(s) of ${owner.slice(0, 12)}`);
        }
        const addresses = this.ctx.store.addresses.releaseEverywhere(owner);
        if (addresses) fixed.push(`released ${addresses} address(es) of ${owner.slice(0, 12)}`);
      }
      // 4. Processes of containers that no longer run (a lost supervisor, an interrupted rm): their cgroup knows them.
      for (const id of this.ctx.groups.containers()) {
        const c = this.ctx.store.containers.find(id);
        if (c && (c.status === 'running' || c.status === 'paused')) continue;
        const killed = await this.ctx.groups.destroy(id);
        if (killed) fixed.push(`killed ${killed} leftover process${killed === 1 ? '' : 'es'} of container ${c?.name ?? id.slice(0, 12)}`);
      }
      // 5. The kernel side of each network (objects vanished after a reboot, leaked ones after a crash): its driver knows.
      for (const network of this.ctx.store.networks.all()) {
        const driver = this.ctx.registry.networkDriver(network.driver);
        if (!driver.reconcile) continue;
        fixed.push(...(await driver.reconcile(pluginContext(this.ctx, 'driver', driver.name), network, this.ctx.store.endpoints.ofNetwork(network.id))));
      }
      // 5. IPv6 loopback proxies that died (killed, OOM) while their container runs: its [::1] ports answer again.
      for (const c of this.ctx.store.containers.all()) {
        const targets = c.status === 'running' ? loopbackTargets(this.ctx.store.ports.ofContainer(c.id)) : [];
        const dir = containerDir(this.ctx.config.stateDir, c.id);
        if (targets.length === 0 || loopbackProxyAlive(dir)) continue;
        await startLoopbackProxy(dir, targets);
        fixed.push(`restarted the IPv6 loopback proxy of container ${c.name}`);
      }
      return fixed;
    });
  }

  /**
   * The self-healing check: if anything of the firewall state is missing
   * from the kernel (someone flushed the ruleset), re-apply it all. Returns
   * what was missing; empty when all was in place. Runs under the lock, so
   * it never sees an operation half-applied.
   */
  async heal(): Promise<string[]> {
    return this.ctx.store.lock.withLock(async () => {
      const active = activeBackend(this.ctx);
      if (!active) return [];
      const publisher = await this.ctx.publisher();
      // Another process (a command with another $CTRNET_PORT_BACKEND) moved the rules to another backend: not ours to heal.
      if (publisher.name !== active) return [];
      const ctx = pluginContext(this.ctx, 'ports', publisher.name);
      const state = firewallState(this.ctx);
      const missing = await publisher.check(ctx, state);
      if (missing.length) {
        debug('firewall lost %o; reloading', missing);
        await publisher.reload(ctx, state);
      }
      return missing;
    });
  }

  /**
   * Call `onChange` when the kernel's firewall changes. Returns the function
   * that stops watching, or undefined when there is nothing to watch yet (no
   * backend in use) or the backend cannot tell (periodic checks cover it).
   */
  async watchFirewall(onChange: () => void): Promise<(() => void) | undefined> {
    if (!activeBackend(this.ctx)) return undefined;
    const publisher = await this.ctx.publisher();
    return publisher.watch?.(pluginContext(this.ctx, 'ports', publisher.name), onChange);
  }

  /** Whether a container is on a network the embedded resolver serves (a front-end then starts ctrnetd, which runs it). */
  resolverNeeded(): boolean {
    return resolverNeeded(this.ctx);
  }

  /** What the embedded resolver must know: served networks, their members, the host's resolvers. */
  nameTable(): NameTable {
    return nameTable(this.ctx);
  }

  /**
   * Record on which port the resolver answers for each network where it
   * cannot use 53 (none: an empty map), and have the firewall redirect
   * those networks' DNS traffic there.
   */
  async setDnsRedirects(redirects: Record<string, number>): Promise<void> {
    await this.ctx.store.lock.withLock(async () => {
      const before = dnsRedirects(this.ctx);
      if (JSON.stringify(before) === JSON.stringify(redirects)) return;
      setDnsRedirects(this.ctx, redirects);
      if (!activeBackend(this.ctx)) return;
      const publisher = await this.ctx.publisher();
      // A rebuild, so a redirect to a port no longer used goes too.
      await publisher.reload(pluginContext(this.ctx, 'ports', publisher.name), firewallState(this.ctx));
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
    for (const c of await this.sandboxes.detach({ ownerPrefix: '' })) removed.push(`attachment ${c.name}`);
    for (const c of this.ctx.store.containers.all()) {
      await this.containers.remove(c.id, true);
      removed.push(`container ${c.name}`);
    }
    await this.ctx.store.lock.withLock(async () => {
      for (const op of this.ctx.store.operations.open()) {
        await runUndo(this.undo.undoers, op.undo);
        this.ctx.store.operations.close(op.id);
      }
      for (const network of this.ctx.store.networks.all()) {
        await this.undo.removeNetwork(network);
        removed.push(`network ${network.name}`);
      }
      for (const name of this.ctx.registry.portPublisherNames()) {
        await this.ctx.registry.portPublisher(name).reset(pluginContext(this.ctx, 'ports', name));
      }
      for (const lease of this.pools.list()) removed.push(`address pool ${lease.pool.subnet}`);
      for (const id of this.ctx.groups.containers()) await this.ctx.groups.destroy(id);
      this.ctx.groups.removeInstallation();
      this.ctx.store.ports.clear();
      this.ctx.store.addresses.clear();
      this.ctx.store.settings.clear();
    });
    return removed;
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
