import { setTimeout as sleep } from 'node:timers/promises';
import type { Runtime } from '../runtime/runtime.js';
import { parseRequest } from './request.js';
import type { ApiMethod, ApiMethods, ApiRequest, ApiResponse, CtrnetApi, EventRecord } from './types.js';
import { CtrnetError } from '../errors.js';
import { firewallOf } from '../runtime/context.js';
import type { SandboxRecord } from '../runtime/sandboxes.js';
import { checkContainerName, checkHostname } from '../runtime/validate.js';
import { resolveUser } from '../runtime/users.js';
import { topOf } from './top.js';
import { containerInspect, containerSummary, ipamPoolLease, networkInspect, networkSummary, sandboxAttachment } from './views.js';
import { pluginContext } from '../runtime/context.js';

const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);

type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> };

/** How often `follow` looks for new events in the journal when it runs in-process. */
const FOLLOW_POLL_MS = 200;

/**
 * The runtime API served by this process: every request is checked against
 * its schema, then handed to the runtime. The CLI uses it when no daemon
 * answers; ctrnetd serves exactly this object over its socket.
 */
export class LocalApi implements CtrnetApi {
  private readonly handlers: Handlers;

  /** @param daemon Whether this process is ctrnetd (reported by `system.info`). */
  constructor(
    readonly runtime: Runtime,
    private readonly daemon = false,
  ) {
    const rt = runtime;
    const store = rt.ctx.store;
    const summary = (c: Parameters<typeof containerSummary>[1]) => containerSummary(store, c);
    // Networks other hosts share appear here before a command looks a network up (a no-op without such drivers).
    const synced = <T>(work: () => Promise<T>) => rt.networks.sync().then(work);
    const attachment = (record: SandboxRecord) => sandboxAttachment(store, record, (n) => firewallOf(rt.ctx, n)?.device);
    // An attachment of another engine has no process: rm detaches it; start, stop and exec do not apply.
    const ownProcess = (name: string) => {
      const c = rt.containers.get(name);
      if (c.sandboxKind === 'external') throw new CtrnetError('INVALID_STATE', `${c.name} is a network namespace of another engine, without a process of ctrnet's; remove it with: ctrnet rm -f ${c.name}`);
      return c;
    };
    this.handlers = {
      'container.run': ({ spec }) => synced(async () => summary(await rt.containers.runDetached(spec))),
      'container.runAttached': ({ spec, callerPid }) =>
        synced(async () => {
          const { container, launch } = await rt.containers.runAttached(spec, callerPid);
          return { container: summary(container), launch };
        }),
      'container.started': async ({ id, pid }) => ({ pid: await rt.containers.started(id, pid) }),
      'container.exited': async ({ id, status }) => (await rt.containers.exited(id, status), {}),
      'container.create': ({ spec }) => synced(async () => summary(await rt.containers.create(spec))),
      'container.start': async ({ name }) => summary(await rt.containers.start(ownProcess(name).id)),
      'container.restart': async ({ name, timeoutSeconds }) => summary(await rt.containers.restart(ownProcess(name).id, seconds(timeoutSeconds))),
      'container.kill': async ({ name, signal }) => summary(await rt.containers.kill(ownProcess(name).id, signal ?? 'SIGKILL')),
      'container.pause': async ({ name }) => summary(await rt.containers.pause(ownProcess(name).id, true)),
      'container.unpause': async ({ name }) => summary(await rt.containers.pause(ownProcess(name).id, false)),
      'container.rename': async ({ name, newName }) => summary(await rt.containers.rename(ownProcess(name).id, checkContainerName(newName))),
      'container.top': async ({ name }) => topOf(rt.ctx.exec, rt.containers.processes(ownProcess(name).id)),
      'container.wait': async ({ name }) => ({ status: await rt.containers.wait(ownProcess(name).id) }),
      'container.attach': async ({ name }) => rt.containers.attachTarget(ownProcess(name).id),
      'container.stop': async ({ name, timeoutSeconds }) => summary(await rt.containers.stop(ownProcess(name).id, seconds(timeoutSeconds))),
      'container.remove': async ({ name, force }) => {
        const c = rt.containers.get(name);
        if (c.sandboxKind === 'external') {
          if (!force) throw new CtrnetError('INVALID_STATE', `${c.name} is attached by another engine; detach it there, or use rm -f`);
          const record = rt.sandboxes.list().find((r) => r.id === c.id);
          if (record) await rt.sandboxes.detach({ owner: record.spec.sandbox.owner, ifname: record.spec.sandbox.ifname });
          return { id: c.id, name: c.name };
        }
        await rt.containers.remove(c.id, force ?? false);
        return { id: c.id, name: c.name };
      },
      'container.list': async ({ all }) => rt.containers.list(all ?? false).map(summary),
      'container.inspect': async ({ name }) => containerInspect(store, rt.containers.get(name)),
      'container.ports': async ({ name }) => store.ports.ofContainer(rt.containers.get(name).id),
      'container.exec': async ({ name, command, env, workdir, user }) => rt.containers.exec(ownProcess(name).id, command, { env, workdir, user: user === undefined ? undefined : resolveUser(user) }),
      'container.logs': async ({ name }) => ({ path: rt.containers.logPath(name) }),
      'container.reap': async ({ id, runId, status }) => (await rt.containers.reap(id, runId, status), {}),
      'network.create': (request) => synced(async () => networkSummary(store, await rt.networks.createFromRequest(request))),
      'network.list': () => synced(async () => rt.networks.list().map((n) => networkSummary(store, n))),
      'network.inspect': ({ name }) =>
        synced(async () => {
          const network = rt.networks.get(name);
          const driver = rt.ctx.registry.networkDriver(network.driver);
          const status = await driver.inspect?.(pluginContext(rt.ctx, 'driver', driver.name), network);
          return { ...networkInspect(store, network), ...(status ? { DriverStatus: status } : {}) };
        }),
      'network.remove': ({ name }) =>
        synced(async () => {
          const n = await rt.networks.remove(name);
          return { id: n.id, name: n.name };
        }),
      'network.connect': ({ network, container, aliases, ip, ip6 }) =>
        synced(async () => (await rt.connections.connect(network, container, { ip, ip6, aliases: aliases?.map((a) => checkHostname(a)) }), {})),
      'network.disconnect': async ({ network, container }) => (await rt.connections.disconnect(network, container), {}),
      'system.info': async () => ({ ...(await rt.system.info()), server: { daemon: this.daemon, pid: process.pid } }),
      'system.gc': async () => ({ fixed: await rt.system.gc() }),
      'system.reload': async () => ({ backend: await rt.system.reload() }),
      'system.reset': async () => ({ removed: await rt.system.reset() }),
      'sandbox.attach': (request) => synced(async () => attachment(await rt.sandboxes.attach(request))),
      'sandbox.detach': async (selector) => ({ detached: (await rt.sandboxes.detach(selector)).map(attachment) }),
      'sandbox.check': async (selector) => ({ problems: await rt.sandboxes.check(selector) }),
      'sandbox.publish': async ({ publish, ...selector }) => attachment(await rt.sandboxes.publish(selector, publish)),
      'sandbox.list': async (selector) => rt.sandboxes.list(selector).map(attachment),
      'ipam.requestPool': async (request) => ipamPoolLease(store, await rt.pools.request(request)),
      'ipam.releasePool': async ({ pool }) => (await rt.pools.release(pool), {}),
      'ipam.requestAddress': async ({ pool, address, gateway }) => rt.pools.requestAddress(pool, address, gateway ?? false),
      'ipam.releaseAddress': async ({ pool, address }) => (await rt.pools.releaseAddress(pool, address), {}),
      'ipam.listPools': async () => rt.pools.list().map((lease) => ipamPoolLease(store, lease)),
      'events.list': async ({ after, limit }) => store.events.after(after ?? 0, limit ?? 1000),
    };
  }

  async call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
    const checked = parseRequest(method, request);
    return (this.handlers[method] as (r: ApiMethods[M]['request']) => Promise<ApiResponse<M>>)(checked);
  }

  async follow(after: number, onEvent: (event: EventRecord) => void, signal: AbortSignal): Promise<void> {
    let last = after;
    while (!signal.aborted) {
      const batch = this.runtime.ctx.store.events.after(last);
      for (const e of batch) {
        last = e.seq;
        onEvent(e);
      }
      if (batch.length === 0) await sleep(FOLLOW_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.runtime.close();
  }
}
