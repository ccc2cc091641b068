import { definePlugin } from '@ctrnet/core';
import { clusterInfo } from './cluster-info.js';
import { EtcdIpam } from './etcd-ipam.js';
import { hostSession } from './host-session.js';
import { LeaseKeeper } from './lease-keeper.js';

export { EtcdClient, prefixEnd, type Compare, type KeyValue, type Operation, type TxnResult, type Watch, type WatchEvent } from './etcd-client.js';
export { ETCD_IPAM, EtcdIpam } from './etcd-ipam.js';
export { HostSession, hostSession } from './host-session.js';
export { clusterHosts, networkAddresses, networkSlices, reclaimNetwork } from './cluster-view.js';
export { ROOT, lastPart, type AddressRecord, type HostRecord } from './keys.js';

export default definePlugin({
  name: '@ctrnet/ipam-etcd',
  coreVersion: '^0.2.0',
  register(api) {
    const { cluster, stateDir } = api.settings;
    const session = () => (cluster ? hostSession(cluster, stateDir) : undefined);
    api.registerIpamDriver(new EtcdIpam(api.settings));
    api.registerService(new LeaseKeeper(session));
    api.registerInfoSection(clusterInfo(session));
  },
});
