import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import createDebug from 'debug';
import { CtrnetError, invalidArgument } from '../errors.js';
import { isValidIfName } from '../names.js';
import { inSaga } from '../saga.js';
import type { ContainerRecord } from '../store/store.js';
import type { SandboxAttachRequest, SandboxSelector } from '../api/types.js';
import type { Network, PublishRequest, Sandbox } from '../types.js';
import { sandboxOf, type Attacher } from './attach.js';
import { driverOf, firewallOf, pluginContext, type RuntimeContext } from './context.js';
import { newId } from './ids.js';
import type { Networks } from './networks.js';
import { containerDir, NETNS_DIR, netnsName, netnsPath } from './paths.js';
import { defaultRunSpec } from './run-spec.js';
import type { ContainerSpec } from './spec.js';
import type { UndoKit } from './undo.js';
import { checkIpv4, checkMac, checkNameserver, quote } from './validate.js';

const debug = createDebug('ctrnet:core:sandboxes');

/**
 * Attachments of network namespaces ctrnet did not create: CNI's
 * CNI_NETNS, an OCI container's namespace, a Docker sandbox. Each one is a
 * container record of sandbox kind `external`, named `OWNER/IFNAME`, with
 * one endpoint; the record has no process of ctrnet's own. Joining,
 * publishing and leaving are the Attacher's, step for step, so an attached
 * namespace gets exactly what a ctrnet container gets. gc treats an
 * attachment as gone when the namespace file it was made with is gone (or
 * now holds another namespace), so a missed CNI DEL or OCI poststop is
 * reconciled; handoff attachments (the engine moved the interface) have no
 * namespace to watch and live until their engine detaches them.
 */

/** The attachment part of an external sandbox's spec. */
export interface SandboxInfo {
  owner: string;
  ifname: string;
  /** The namespace as the engine named it; empty for a handoff. */
  netnsPath: string;
  /** `dev:inode` of that file at attach time: the same path holding another namespace later (a reused PID) is not ours. */
  netnsId?: string;
  /** ctrnet holds its own bind mount of the namespace (the record's sandbox key), removed at detach. */
  pinned: boolean;
  handoff: boolean;
  aliases: string[];
}

/** An external sandbox's record: a container spec (what views read) plus the attachment. */
export interface SandboxSpec extends ContainerSpec {
  sandbox: SandboxInfo;
}

export type SandboxRecord = ContainerRecord<SandboxSpec>;

/** Engine-scoped owner ids: `cni:<container id>`, `oci:<id>`, `docker:<endpoint id>`. */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$/;

export class Sandboxes {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly networks: Networks,
    private readonly attacher: Attacher,
    private readonly undo: UndoKit,
  ) {
    undo.undoers['sandbox.finish-detach'] = (data) => this.finishDetach(String(data.id));
  }

  /** Every attachment `filter` selects, oldest first. */
  list(filter: SandboxSelector = {}): SandboxRecord[] {
    const network = filter.network === undefined ? undefined : this.ctx.store.networks.find(filter.network);
    if (filter.network !== undefined && !network) return [];
    return this.ctx.store.containers
      .all<SandboxSpec>()
      .filter((c) => c.sandboxKind === 'external' && c.spec.sandbox)
      .filter((c) => filter.owner === undefined || c.spec.sandbox.owner === filter.owner)
      .filter((c) => filter.ownerPrefix === undefined || c.spec.sandbox.owner.startsWith(filter.ownerPrefix))
      .filter((c) => filter.ifname === undefined || c.spec.sandbox.ifname === filter.ifname)
      .filter((c) => !network || c.spec.networks.includes(network.id));
  }

  /** Attach a namespace (or, for handoff, an interface the engine will move) to a network. */
  async attach(request: SandboxAttachRequest): Promise<SandboxRecord> {
    const planned = this.plan(request);
    return this.ctx.store.lock.withLock(async () => {
      if (this.ctx.store.containers.nameTaken(planned.record.name)) {
        throw new CtrnetError('CONFLICT', `${quote(request.owner)} already has interface ${request.ifname} attached; detach it first`);
      }
      const { record, network } = planned;
      const spec = record.spec;
      const ref = { id: record.id, name: record.name };
      // The first attachment of an owner carries its default route, as a container's eth0 does.
      const defaultRoute = request.defaultRoute ?? !this.list({ owner: request.owner }).some((c) => this.endpointOf(c)?.defaultRoute);
      return inSaga(`sandbox attach ${record.name}`, this.undo.undoers, this.ctx.store.operations.begin(`sandbox attach ${record.name}`), async (saga) => {
        // The namespace's identity is taken as late as possible: a process that is still entering it (nsenter, runc) has another one until then.
        if (!spec.sandbox.handoff) spec.sandbox.netnsId = namespaceId(spec.sandbox.netnsPath);
        await saga.step('create', () => this.insert(record), { kind: 'container.row.delete', data: { id: record.id } });
        if (spec.sandbox.pinned) {
          await saga.step('pin netns', () => this.pin(spec.sandbox.netnsPath, record.sandboxKey!), { kind: 'netns.delete', data: { name: netnsName(record.id) } });
          // What gc watches is the namespace the pin holds: the one the interface goes into.
          spec.sandbox.netnsId = namespaceId(record.sandboxKey!);
          this.ctx.store.containers.update(record);
        }
        const sandbox: Sandbox = { ...sandboxOf(record), handoff: spec.sandbox.handoff || undefined };
        await this.takeLeasedAddress(network, spec.ip);
        const endpoint = await this.attacher.join(saga, ref, network, sandbox, request.ifname, {
          ip: spec.ip,
          mac: spec.macAddress,
          defaultGateway: spec.defaultGateway,
          aliases: spec.sandbox.aliases,
          defaultRoute,
        });
        if ((endpoint.ipv4 || endpoint.ipv6) && spec.publish.length && driverOf(this.ctx, network).ports === 'publish' && !network.internal && firewallOf(this.ctx, network)) {
          await this.attacher.publish(saga, ref, network, endpoint, spec, containerDir(this.ctx.config.stateDir, record.id));
        }
        debug('attached %s to %s', record.name, network.name);
        return record;
      });
    });
  }

  /**
   * Make one attachment publish exactly `requests` (none: stop publishing).
   * Idempotent: the same set again changes nothing. For engines that publish
   * apart from attaching (Docker programs external connectivity only on the
   * endpoint that carries the container's gateway).
   */
  async publish(selector: SandboxSelector, requests: PublishRequest[]): Promise<SandboxRecord> {
    return this.ctx.store.lock.withLock(async () => {
      const [record, ...more] = this.list(selector);
      if (!record) throw new CtrnetError('NOT_FOUND', `nothing is attached for ${describe(selector)}; attach it first`);
      if (more.length) throw invalidArgument(`${describe(selector)} selects ${more.length + 1} attachments; name the interface (ifname) or the network`);
      const bindings = this.ctx.store.ports.ofContainer(record.id);
      if (JSON.stringify(record.spec.publish) === JSON.stringify(requests) && (bindings.length > 0) === (requests.length > 0)) return record;
      const endpoint = this.endpointOf(record);
      const network = endpoint && this.ctx.store.networks.find(endpoint.networkId);
      if (!(endpoint?.ipv4 || endpoint?.ipv6) || !network) throw new CtrnetError('INVALID_STATE', `${record.name} has no address to publish ports to`);
      const driver = driverOf(this.ctx, network);
      if (requests.length && (driver.ports !== 'publish' || network.internal || !firewallOf(this.ctx, network))) {
        throw invalidArgument(`network ${network.name} does not publish ports${network.internal ? ' (it is internal)' : ''}`);
      }
      const ref = { id: record.id, name: record.name };
      const updated: SandboxRecord = { ...record, spec: { ...record.spec, publish: requests } };
      return inSaga(`sandbox publish ${record.name}`, this.undo.undoers, this.ctx.store.operations.begin(`sandbox publish ${record.name}`), async (saga) => {
        if (bindings.length) {
          await this.undo.unpublish(bindings);
          this.ctx.store.ports.releaseOf(record.id);
          await this.ctx.bus.emit('port.unpublish', { container: ref, bindings });
        }
        if (requests.length) await this.attacher.publish(saga, ref, network, endpoint, updated.spec, containerDir(this.ctx.config.stateDir, record.id));
        this.ctx.store.containers.update(updated);
        return updated;
      });
    });
  }

  /** Detach every attachment the filter selects. Idempotent: none selected is success. */
  async detach(filter: SandboxSelector): Promise<SandboxRecord[]> {
    if (filter.owner === undefined && filter.ownerPrefix === undefined) throw invalidArgument('sandbox.detach needs an owner (or an owner prefix)');
    return this.ctx.store.lock.withLock(async () => {
      const records = this.list(filter);
      for (const record of records) {
        // Roll forward: once begun, gc finishes a detach a crash interrupted.
        const journal = this.ctx.store.operations.begin(`sandbox detach ${record.name}`);
        journal.record({ kind: 'sandbox.finish-detach', data: { id: record.id } });
        await this.finishDetach(record.id);
        journal.close();
      }
      return records;
    });
  }

  /** What differs from the attach (the namespace gone, the interface changed); NOT_FOUND when nothing is attached. */
  async check(filter: SandboxSelector): Promise<string[]> {
    const records = this.list(filter);
    if (!records.length) throw new CtrnetError('NOT_FOUND', `nothing is attached for ${describe(filter)}; attach it first`);
    const problems: string[] = [];
    for (const record of records) {
      if (!record.spec.sandbox.handoff && !this.alive(record)) {
        problems.push(`${record.name}: network namespace ${record.spec.sandbox.netnsPath} is gone`);
        continue;
      }
      const endpoint = this.endpointOf(record);
      const network = endpoint && this.ctx.store.networks.find(endpoint.networkId);
      if (!endpoint || !network) {
        problems.push(`${record.name}: has no endpoint`);
        continue;
      }
      const driver = driverOf(this.ctx, network);
      const found = (await driver.check?.(pluginContext(this.ctx, 'driver', driver.name), network, endpoint, sandboxOf(record))) ?? [];
      problems.push(...found.map((p) => `${record.name}: ${p}`));
    }
    return problems;
  }

  /** gc: detach attachments whose namespace is gone. Returns one line per one detached. */
  async reconcile(): Promise<string[]> {
    const fixed: string[] = [];
    for (const record of this.list()) {
      if (record.spec.sandbox.handoff || this.alive(record)) continue;
      await this.finishDetach(record.id);
      fixed.push(`detached ${record.name} from its networks (network namespace ${record.spec.sandbox.netnsPath} is gone)`);
    }
    return fixed;
  }

  /** The attachment's endpoint (it has one once attached). */
  endpointOf(record: SandboxRecord) {
    return this.ctx.store.endpoints.ofContainer(record.id)[0];
  }

  /** Tear down one attachment and forget it. Idempotent; the caller holds the lock. */
  private async finishDetach(id: string): Promise<void> {
    const record = this.ctx.store.containers.find<SandboxSpec>(id);
    if (!record || record.sandboxKind !== 'external') return;
    await this.attacher.detach(record);
    if (record.spec.sandbox?.pinned) await this.undo.deleteNetns(netnsName(id));
    this.ctx.store.containers.delete(id);
    rmSync(containerDir(this.ctx.config.stateDir, id), { recursive: true, force: true });
    await this.ctx.bus.emit('container.remove', { container: { id, name: record.name } });
  }

  /** Validate everything (no side effects) and build the record. */
  private plan(request: SandboxAttachRequest): { record: SandboxRecord; network: Network } {
    if (!OWNER.test(request.owner)) throw invalidArgument(`invalid owner ${quote(request.owner)}: use 1-255 characters [A-Za-z0-9_.:-], e.g. cni:<container id>`);
    if (!isValidIfName(request.ifname)) throw invalidArgument(`invalid interface name ${quote(request.ifname)}: use 1-15 characters [A-Za-z0-9_.-]`);
    const handoff = request.handoff ?? false;
    if (handoff === (request.netnsPath !== undefined)) throw invalidArgument('sandbox.attach takes either netnsPath or handoff: true; give exactly one');
    if (request.pin && handoff) throw invalidArgument('pin needs a netnsPath; a handoff has no namespace to pin');
    const network = this.networks.get(request.network);
    const driver = driverOf(this.ctx, network);
    if (driver.sandbox !== 'own' || (!driver.userDefined && network.name !== 'bridge')) {
      throw invalidArgument(`network ${network.name} (driver ${driver.name}) cannot take interfaces of other engines; attach to a bridge-like network`);
    }
    if (handoff && !driver.handoff) throw invalidArgument(`driver ${driver.name} of network ${network.name} cannot hand interfaces over to an engine; use a network of a driver that can (bridge)`);
    const publish = request.publish ?? [];
    if (publish.length && driver.ports === 'refuse') throw invalidArgument(`network ${network.name} (driver ${driver.name}) does not publish ports; drop them`);
    if (request.ip !== undefined) checkIpv4(request.ip, 'ip');
    const mac = request.mac === undefined ? undefined : checkMac(request.mac);
    for (const server of request.dns?.servers ?? []) checkNameserver(server);
    if (request.netnsPath !== undefined) {
      if (!request.netnsPath.startsWith('/') || /[\s"'\\]/.test(request.netnsPath)) throw invalidArgument(`invalid netnsPath ${quote(request.netnsPath)}: expected an absolute path without blanks or quotes`);
      if (!namespaceId(request.netnsPath)) throw new CtrnetError('NOT_FOUND', `network namespace ${request.netnsPath} does not exist; pass the path of a live namespace`);
    }
    const id = newId();
    const name = `${request.owner}/${request.ifname}`;
    const pinned = request.pin ?? false;
    const spec: SandboxSpec = {
      ...defaultRunSpec([]),
      name,
      network: network.name,
      publish,
      dns: request.dns?.servers ?? [],
      dnsSearch: request.dns?.searches ?? [],
      dnsOptions: request.dns?.options ?? [],
      ip: request.ip,
      macAddress: mac,
      detach: true,
      hostname: '',
      networks: [network.id],
      autoRemove: false,
      sandbox: { owner: request.owner, ifname: request.ifname, netnsPath: request.netnsPath ?? '', pinned, handoff, aliases: request.aliases ?? [] },
    };
    const record: SandboxRecord = {
      id,
      name,
      status: 'running',
      networkMode: network.name,
      spec,
      sandboxKey: handoff ? '' : pinned ? netnsPath(netnsName(id)) : request.netnsPath,
      sandboxKind: 'external',
      runId: 1,
      created: this.ctx.clock.now().toISOString(),
      started: this.ctx.clock.now().toISOString(),
    };
    return { record, network };
  }

  private async insert(record: SandboxRecord): Promise<void> {
    this.ctx.store.containers.insert(record);
    await this.ctx.bus.emit('container.create', { container: { id: record.id, name: record.name }, networkMode: record.networkMode });
  }

  /** A bind mount of the namespace under /run/netns, which keeps it alive until detach (OCI poststop comes without a PID). */
  private async pin(source: string, target: string): Promise<void> {
    if (!existsSync(NETNS_DIR)) mkdirSync(NETNS_DIR, { recursive: true, mode: 0o755 });
    writeFileSync(target, '', { flag: 'wx', mode: 0o444 });
    await this.ctx.exec.run(['mount', '--bind', source, target]);
  }

  /**
   * An address the engine leased through `ipam.requestAddress` (owned by
   * the pool lease, whose id is the network's) goes to the attachment: it is
   * released from the lease here, under the lock, and claimed by the join.
   */
  private async takeLeasedAddress(network: Network, ip: string | undefined): Promise<void> {
    if (ip !== undefined && this.ctx.store.addresses.ownerOf(network.id, ip) === network.id) this.ctx.store.addresses.release(network.id, ip);
  }

  /** Whether the namespace the attachment was made with still exists, as the same namespace. */
  private alive(record: SandboxRecord): boolean {
    const info = record.spec.sandbox;
    return info.netnsId !== undefined && namespaceId(info.netnsPath) === info.netnsId;
  }
}

/** `dev:inode` of a namespace file, or undefined when there is none. */
function namespaceId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

function describe(filter: SandboxSelector): string {
  return [filter.owner ?? `${filter.ownerPrefix ?? ''}*`, filter.ifname && `interface ${filter.ifname}`, filter.network && `network ${filter.network}`].filter(Boolean).join(', ');
}
