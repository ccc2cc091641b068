/**
 * The etcd IPAM against a real etcd (on this namespace's loopback: the test
 * process is the client): two hosts sharing pools, racing for slices and
 * addresses, and a host whose lease lapses.
 */
import { expect } from 'chai';
import createDebug from 'debug';
import { ExecaExecutor, Store, isCtrnetError, type AddressPool, type IpamContext } from '@ctrnet/core';
import { TestNamespaces, startEtcd, tempStateDir, type TestEtcd } from '@ctrnet/testkit';
import { EtcdIpam, HostSession, hostSession, networkAddresses, networkSlices, reclaimNetwork } from '../src/index.js';

const log = createDebug('ctrnet:test');
let counter = 0;
const hexId = () => (++counter).toString(16).padStart(64, 'c');

describe('etcd IPAM across hosts', function () {
  this.timeout(60_000);
  const tn = new TestNamespaces();
  let etcd: TestEtcd;

  before(async () => {
    etcd = await startEtcd(tn);
  });
  after(() => tn.cleanup());

  function host(name: string, leaseTtlSeconds = 30): { ipam: EtcdIpam; ctx: IpamContext; session: HostSession } {
    const stateDir = tempStateDir(tn);
    const store = new Store(stateDir);
    tn.defer(() => store.close());
    const settings = { stateDir, cluster: { etcd: [etcd.url], hostName: name, advertiseAddress: '127.0.0.1', leaseTtlSeconds } };
    return { ipam: new EtcdIpam(settings), ctx: { exec: new ExecaExecutor(), log, addresses: store.addresses, defaultAddressPools: [] }, session: hostSession(settings.cluster, stateDir) };
  }

  it('gives each host of a network its own slice, and both hosts the same pool', async () => {
    const [a, b] = [host(`a${counter}`), host(`b${counter}`)];
    const net = hexId();
    const [pa, pb] = await Promise.all([a.ipam.requestPool(a.ctx, { networkId: net, subnet: '10.220.0.0/16' }), b.ipam.requestPool(b.ctx, { networkId: net, subnet: '10.220.0.0/16' })]);
    expect(pa.subnet).to.equal(pb.subnet);
    expect(pa.ipRange).to.not.equal(pb.ipRange);
    expect([...(await networkSlices(a.session, net)).values()].sort()).to.deep.equal([a.session.host, b.session.host].sort());
  });

  it('lets exactly one of two networks racing for overlapping subnets have it', async () => {
    const [a, b] = [host(`a${counter}`), host(`b${counter}`)];
    const results = await Promise.allSettled([
      a.ipam.requestPool(a.ctx, { networkId: hexId(), subnet: '10.221.0.0/16' }),
      b.ipam.requestPool(b.ctx, { networkId: hexId(), subnet: '10.221.128.0/17' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isCtrnetError(lost.reason, 'CONFLICT')).to.equal(true);
  });

  it('hands a static address to exactly one of two racing requests, and refuses one outside the host slice', async () => {
    const a = host(`a${counter}`);
    const net = hexId();
    const pool = await a.ipam.requestPool(a.ctx, { networkId: net, subnet: '10.222.0.0/16' });
    const wanted = pool.ipRange!.replace(/0\/24$/, '50');
    const results = await Promise.allSettled([hexId(), hexId()].map((owner) => new EtcdIpam({ stateDir: tempStateDir(tn), cluster: a.session.cluster }).requestAddress(a.ctx, net, pool, owner, wanted)));
    expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.value)))).to.deep.equal(['fulfilled', 'rejected']);
    try {
      await a.ipam.requestAddress(a.ctx, net, pool, hexId(), '10.222.250.9');
      expect.fail('accepted');
    } catch (err) {
      expect(isCtrnetError(err, 'INVALID_ARGUMENT')).to.equal(true);
    }
  });

  it("reclaims a host's slice and addresses when its lease lapses, and lets it re-claim them with a new lease", async () => {
    const [a, b] = [host(`a${counter}`), host(`b${counter}`, 2)];
    const net = hexId();
    await a.ipam.requestPool(a.ctx, { networkId: net, subnet: '10.223.0.0/16' });
    const pool: AddressPool = await b.ipam.requestPool(b.ctx, { networkId: net, subnet: '10.223.0.0/16' });
    const owner = hexId();
    const address = await b.ipam.requestAddress(b.ctx, net, pool, owner);
    // Nobody renews b's lease: after its TTL etcd deletes everything bound to it.
    const deadline = Date.now() + 10_000;
    while ((await networkSlices(a.session, net)).size > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect([...(await networkSlices(a.session, net)).values()]).to.deep.equal([a.session.host]);
    expect((await networkAddresses(a.session, net)).has(address)).to.equal(false);
    // b comes back: a new lease, its slice and the container's address re-claimed.
    const fixed = await reclaimNetwork(b.session, net, pool, [{ id: hexId(), containerId: owner, networkId: net, ifname: 'eth0', ipv4: address, defaultRoute: true }]);
    expect(fixed).to.deep.equal([`re-claimed slice ${pool.ipRange} of network ${net.slice(0, 12)}`, `re-claimed address ${address} of network ${net.slice(0, 12)}`]);
    expect((await networkAddresses(a.session, net)).get(address)).to.deep.equal({ host: b.session.host, owner });
  });

  it('releases pools so the last host out removes the pool', async () => {
    const [a, b] = [host(`a${counter}`), host(`b${counter}`)];
    const net = hexId();
    const pa = await a.ipam.requestPool(a.ctx, { networkId: net, subnet: '10.224.0.0/16' });
    const pb = await b.ipam.requestPool(b.ctx, { networkId: net, subnet: '10.224.0.0/16' });
    await a.ipam.requestAddress(a.ctx, net, pa, hexId());
    await a.ipam.releasePool(a.ctx, net, pa);
    expect((await a.session.etcd.prefix('/ctrnet/v1/ipam/pools/' + net)).kvs).to.have.length(1);
    await b.ipam.releasePool(b.ctx, net, pb);
    expect((await a.session.etcd.prefix('/ctrnet/v1/ipam/')).kvs.filter((kv) => kv.key.includes(net))).to.deep.equal([]);
  });
});
