/**
 * The overlay driver against the conformance kit third-party drivers use:
 * one host of a cluster whose etcd runs on this namespace's loopback (the
 * test process itself talks to it), with the host's advertise address on a
 * veth uplink. A slice as big as the pool stands for this host's slice.
 */
import { TestNamespaces, describeNetworkDriver, startEtcd, tempStateDir } from '@ctrnet/testkit';
import ipamEtcd from '@ctrnet/ipam-etcd';
import plugin, { OverlayDriver } from '../src/index.js';

const ADVERTISE = '10.250.9.1';
const cluster = { etcd: [] as string[], hostName: 'ctt-conformance', advertiseAddress: ADVERTISE, leaseTtlSeconds: 30 };
const tn = new TestNamespaces();
const stateDir = tempStateDir(tn);

before(async function () {
  this.timeout(30_000);
  cluster.etcd.push((await startEtcd(tn)).url);
});
after(() => tn.cleanup());

describeNetworkDriver('@ctrnet/driver-overlay', () => new OverlayDriver({ stateDir, cluster }), {
  plugin,
  dependencies: [ipamEtcd],
  pool: { subnet: '10.250.5.0/24', ipRange: '10.250.5.0/24', gateway: '10.250.5.1' },
  invalidOptions: [{ icc: 'maybe' }, { mtu: '12' }, { 'no-such-option': '1' }],
  async prepareHost({ host }) {
    // This kernel may lack the dummy module: a veth pair makes the uplink.
    await host.exec(['ip', 'link', 'add', 'ctt-uplink', 'type', 'veth', 'peer', 'name', 'ctt-uplink1']);
    await host.exec(['ip', 'addr', 'add', `${ADVERTISE}/24`, 'dev', 'ctt-uplink']);
    await host.exec(['ip', 'link', 'set', 'ctt-uplink', 'up']);
    await host.exec(['ip', 'link', 'set', 'ctt-uplink1', 'up']);
  },
});
