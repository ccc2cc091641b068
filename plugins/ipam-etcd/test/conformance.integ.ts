/**
 * The etcd IPAM against the conformance kit third-party IPAM drivers use, as
 * one host of a cluster (`perHostSlices`): etcd on this namespace's loopback,
 * emptied before each test.
 */
import { TestNamespaces, describeIpamDriver, startEtcd, tempStateDir } from '@ctrnet/testkit';
import plugin, { EtcdClient, EtcdIpam, ROOT, prefixEnd } from '../src/index.js';

const cluster = { etcd: [] as string[], hostName: 'ctt-conformance', advertiseAddress: '127.0.0.1', leaseTtlSeconds: 30 };
const tn = new TestNamespaces();
const stateDir = tempStateDir(tn);

before(async function () {
  this.timeout(30_000);
  cluster.etcd.push((await startEtcd(tn)).url);
});
after(() => tn.cleanup());

describeIpamDriver('@ctrnet/ipam-etcd', () => new EtcdIpam({ stateDir, cluster }), {
  plugin,
  perHostSlices: true,
  ipv6: false,
  reset: async () => {
    const etcd = new EtcdClient(cluster.etcd);
    await etcd.deleteRange(ROOT, prefixEnd(ROOT));
    etcd.close();
  },
});
