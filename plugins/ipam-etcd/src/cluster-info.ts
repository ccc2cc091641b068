/** The `Cluster` block of `system info`: the store, this host and every live host. */
import type { InfoSection } from '@ctrnet/core';
import { clusterHosts } from './cluster-view.js';
import type { HostSession } from './host-session.js';

export function clusterInfo(session: () => HostSession | undefined): InfoSection {
  return {
    title: 'Cluster',
    async lines() {
      const s = session();
      if (!s) return ['none (set "cluster" in the config to share networks between hosts)'];
      const head = [`etcd: ${s.cluster.etcd.join(', ')}`, `this host: ${s.host} (${s.cluster.advertiseAddress}), lease TTL ${s.cluster.leaseTtlSeconds} s`];
      try {
        await s.lease();
        const hosts = await clusterHosts(s);
        return [...head, `hosts (${hosts.length}):`, ...hosts.map((h) => `  ${h.host} ${h.advertiseAddress}${h.host === s.host ? ' (this host)' : ''} since ${h.since}`)];
      } catch (err) {
        return [...head, `unreachable: ${(err as Error).message}`];
      }
    },
  };
}
