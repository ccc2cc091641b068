/**
 * This host's presence in the cluster: one etcd lease per host, to which
 * every claim the host makes (its slices, addresses, tunnel endpoints, its
 * host record) is bound. ctrnetd renews it; a one-shot command renews it
 * once. When the host stops renewing it (killed, cut off), etcd deletes
 * everything bound to it after the TTL, and the other hosts see the
 * deletions.
 *
 * The lease id is kept in the state dir, so a restarted daemon or the next
 * command goes on with the same lease while it lives; once it has expired, a
 * new one is granted and `onNewLease` listeners re-claim what the host still
 * uses (ctrnetd runs `system gc`, which has every driver do so).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import type { ClusterConfig } from '@ctrnet/core';
import { EtcdClient } from './etcd-client.js';
import { hostKey, type HostRecord } from './keys.js';

const debug = createDebug('ctrnet:ipam-etcd:session');

/** File under the state dir that remembers the lease id. */
const LEASE_FILE = 'cluster-lease.json';

export class HostSession {
  readonly etcd: EtcdClient;
  private leaseId: string | undefined;
  private confirmedAt = 0;
  private pending: Promise<string> | undefined;
  private readonly listeners: Array<() => void> = [];

  constructor(
    readonly cluster: Readonly<ClusterConfig>,
    private readonly stateDir: string,
  ) {
    this.etcd = new EtcdClient(cluster.etcd);
  }

  get host(): string {
    return this.cluster.hostName;
  }

  /**
   * A live lease id: the one in hand if confirmed within a third of the TTL,
   * else the remembered one renewed, else a new one. Throws UNAVAILABLE when
   * etcd does not answer.
   */
  lease(): Promise<string> {
    if (this.leaseId && Date.now() - this.confirmedAt < (this.cluster.leaseTtlSeconds * 1000) / 3) return Promise.resolve(this.leaseId);
    this.pending ??= this.confirm().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Renew now (ctrnetd calls it every third of the TTL). Returns whether a new lease had to be granted. */
  async renew(): Promise<boolean> {
    this.confirmedAt = 0;
    const before = this.leaseId;
    await this.lease();
    return before !== undefined && before !== this.leaseId;
  }

  /** Called after a new lease replaced an expired one: whatever was bound to the old one is gone. */
  onNewLease(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async confirm(): Promise<string> {
    const known = this.leaseId ?? this.remembered();
    if (known && (await this.etcd.leaseKeepAlive(known).catch((err: unknown) => rethrowOutage(err)))) {
      if (!this.leaseId) await this.putHostRecord(known);
      this.leaseId = known;
      this.confirmedAt = Date.now();
      return known;
    }
    const id = await this.etcd.leaseGrant(this.cluster.leaseTtlSeconds);
    debug('host %s: new lease %s (ttl %d s; previous %s)', this.host, id, this.cluster.leaseTtlSeconds, known ?? 'none');
    await this.putHostRecord(id);
    this.leaseId = id;
    this.confirmedAt = Date.now();
    this.remember(id);
    if (known) for (const listener of this.listeners) listener();
    return id;
  }

  private async putHostRecord(lease: string): Promise<void> {
    const record: HostRecord = { host: this.host, advertiseAddress: this.cluster.advertiseAddress, since: new Date().toISOString() };
    await this.etcd.put(hostKey(this.host), JSON.stringify(record), lease);
  }

  private remembered(): string | undefined {
    try {
      return (JSON.parse(readFileSync(join(this.stateDir, LEASE_FILE), 'utf8')) as { lease?: string }).lease;
    } catch {
      return undefined;
    }
  }

  private remember(id: string): void {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileSync(join(this.stateDir, LEASE_FILE), JSON.stringify({ lease: id, host: this.host }) + '\n', { mode: 0o600 });
  }
}

/** A lease etcd does not know is "not alive", not an outage; anything else propagates. */
function rethrowOutage(err: unknown): false {
  if ((err as { code?: string }).code === 'UNAVAILABLE') throw err;
  return false;
}

const sessions = new Map<string, HostSession>();

/**
 * The session of this process for a state dir. Both cluster plugins (this
 * IPAM and drivers that depend on it) share it, so a host holds one lease.
 */
export function hostSession(cluster: Readonly<ClusterConfig>, stateDir: string): HostSession {
  const key = `${stateDir}\0${cluster.hostName}\0${cluster.etcd.join(',')}`;
  let session = sessions.get(key);
  if (!session) sessions.set(key, (session = new HostSession(cluster, stateDir)));
  return session;
}
