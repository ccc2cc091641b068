import { setTimeout as sleep } from 'node:timers/promises';
import type { Runtime } from '../runtime/runtime.js';
import { parseRequest } from './request.js';
import type { ApiMethod, ApiMethods, ApiRequest, ApiResponse, CtrnetApi, EventRecord } from './types.js';
import { containerInspect, containerSummary, networkInspect, networkSummary } from './views.js';

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
    this.handlers = {
      'container.run': async ({ spec }) => summary(await rt.containers.runDetached(spec)),
      'container.runAttached': async ({ spec, callerPid }) => {
        const { container, launch } = await rt.containers.runAttached(spec, callerPid);
        return { container: summary(container), launch };
      },
      'container.started': async ({ id, pid }) => (await rt.containers.started(id, pid), {}),
      'container.exited': async ({ id, status }) => (await rt.containers.exited(id, status), {}),
      'container.start': async ({ name }) => summary(await rt.containers.start(name)),
      'container.stop': async ({ name, timeoutSeconds }) => summary(await rt.containers.stop(name, timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000)),
      'container.remove': async ({ name, force }) => {
        const c = rt.containers.get(name);
        await rt.containers.remove(c.id, force ?? false);
        return { id: c.id, name: c.name };
      },
      'container.list': async ({ all }) => rt.containers.list(all ?? false).map(summary),
      'container.inspect': async ({ name }) => containerInspect(store, rt.containers.get(name)),
      'container.ports': async ({ name }) => store.ports.ofContainer(rt.containers.get(name).id),
      'container.exec': async ({ name, command }) => ({ argv: rt.containers.execArgv(name, command) }),
      'container.logs': async ({ name }) => ({ path: rt.containers.logPath(name) }),
      'container.reap': async ({ id, runId, status }) => (await rt.containers.reap(id, runId, status), {}),
      'network.create': async (request) => networkSummary(store, await rt.networks.createFromRequest(request)),
      'network.list': async () => rt.networks.list().map((n) => networkSummary(store, n)),
      'network.inspect': async ({ name }) => networkInspect(store, rt.networks.get(name)),
      'network.remove': async ({ name }) => {
        const n = await rt.networks.remove(name);
        return { id: n.id, name: n.name };
      },
      'network.connect': async ({ network, container, ip, ip6 }) => (await rt.connections.connect(network, container, { ip, ip6 }), {}),
      'network.disconnect': async ({ network, container }) => (await rt.connections.disconnect(network, container), {}),
      'system.info': async () => ({ ...(await rt.system.info()), server: { daemon: this.daemon, pid: process.pid } }),
      'system.gc': async () => ({ fixed: await rt.system.gc() }),
      'system.reload': async () => ({ backend: await rt.system.reload() }),
      'system.reset': async () => ({ removed: await rt.system.reset() }),
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
