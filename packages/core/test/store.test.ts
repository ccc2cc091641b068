import Database from 'better-sqlite3';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../src/store/migrations.js';
import { CtrnetError, PortConflict, Store, type ContainerRecord, type Endpoint, type Network, type PortBinding } from '../src/index.js';

const hex = (c: string) => c.repeat(64);
/** Drop undefined-valued keys: the store reads absent columns back as undefined properties. */
const defined = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function network(overrides: Partial<Network> = {}): Network {
  return {
    id: hex('a'),
    name: 'frontend',
    driver: 'bridge',
    ipamDriver: 'default',
    pool: { subnet: '172.20.0.0/16', gateway: '172.20.0.1' },
    pool6: undefined,
    internal: false,
    ipv4: true,
    ipv6: false,
    options: { icc: 'true' },
    driverData: { bridge: 'ctr-aaaaaaaaaaa' },
    created: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function container(overrides: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: hex('c'),
    name: 'web',
    status: 'created',
    networkMode: 'bridge',
    spec: { command: ['sleep', '1'], env: ['A=1'] },
    runId: 0,
    created: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function endpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return {
    id: hex('e'),
    containerId: hex('c'),
    networkId: hex('a'),
    ifname: 'eth0',
    hostIfname: 'vc0123456789abc',
    ipv4: '172.20.0.2',
    prefixLen: 16,
    mac: '02:42:ac:14:00:02',
    gateway: '172.20.0.1',
    defaultRoute: true,
    ...overrides,
  };
}

function binding(overrides: Partial<PortBinding> = {}): PortBinding {
  return {
    containerId: hex('c'),
    networkId: hex('a'),
    bridge: 'ctr-aaaaaaaaaaa',
    protocol: 'tcp',
    hostIp: '0.0.0.0',
    hostPort: 8080,
    containerIp: '172.20.0.2',
    containerPort: 80,
    ...overrides,
  };
}

describe('Store', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctrnet-store-'));
    store = new Store(join(dir, 'state'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('state dir', () => {
    it('is private: dir 0700, database 0600', () => {
      expect(statSync(join(dir, 'state')).mode & 0o777).to.equal(0o700);
      expect(statSync(join(dir, 'state', 'state.db')).mode & 0o777).to.equal(0o600);
      expect(statSync(join(dir, 'state', 'lock.db')).mode & 0o777).to.equal(0o600);
    });

    it('reopens an existing state dir with its data', () => {
      store.networks.insert(network());
      store.close();
      store = new Store(join(dir, 'state'));
      expect(store.networks.all()).to.have.length(1);
    });

    it('upgrades a schema-2 state dir: its networks are IPv4-only, its pools IPv4 pools', () => {
      store.close();
      const old = join(dir, 'old');
      mkdirSync(old, { mode: 0o700 });
      const raw = new Database(join(old, 'state.db'));
      for (const m of MIGRATIONS.slice(0, 2)) raw.exec(m);
      raw.pragma('user_version = 2');
      raw.prepare("INSERT INTO networks (id, name, driver, ipam_driver, subnet, gateway, created) VALUES (?, 'old', 'bridge', 'default', '10.7.0.0/24', '10.7.0.1', 'x')").run(hex('e'));
      raw.prepare("INSERT INTO pools (pool_id, subnet) VALUES (?, '10.7.0.0/24')").run(hex('e'));
      raw.close();
      store = new Store(old);
      expect(store.networks.find('old')).to.include({ ipv4: true, ipv6: false, pool6: undefined });
      expect(store.addresses.poolSubnets()).to.deep.equal(['10.7.0.0/24']);
      expect(store.addresses.claimPool(hex('f'), '10.7.0.0/25', (a, b) => a.slice(0, 7) === b.slice(0, 7))).to.equal('10.7.0.0/24');
    });

    it('refuses a database with a newer schema (STATE_ERROR)', () => {
      store.close();
      const raw = new Database(join(dir, 'state', 'state.db'));
      raw.pragma('user_version = 999');
      raw.close();
      let caught: unknown;
      try {
        store = new Store(join(dir, 'state'));
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(CtrnetError);
      expect((caught as CtrnetError).code).to.equal('STATE_ERROR');
      expect((caught as CtrnetError).message).to.match(/has schema version 999, newer than this ctrnet \(\d+\); upgrade ctrnet$/);
      // Reopen a fresh store so afterEach can close something.
      rmSync(join(dir, 'state'), { recursive: true });
      store = new Store(join(dir, 'state'));
    });
  });

  describe('networks', () => {
    it('insert, list, get and delete round-trip every field', () => {
      const n = network({ pool: { subnet: '10.1.0.0/16', ipRange: '10.1.5.0/24', gateway: '10.1.0.1' }, internal: true, ipv6: true });
      store.networks.insert(n);
      expect(store.networks.all()).to.deep.equal([n]);
      expect(store.networks.find('frontend')).to.deep.equal(n);
      store.networks.delete(n.id);
      expect(store.networks.all()).to.deep.equal([]);
      expect(store.networks.find('frontend')).to.equal(undefined);
    });

    it('round-trips an IPv6 pool and an IPv6-only network', () => {
      const dual = network({ pool: { subnet: '172.20.0.0/16', gateway: '172.20.0.1', ipRange: undefined }, pool6: { subnet: 'fd00:1::/64', ipRange: 'fd00:1::/80', gateway: 'fd00:1::1' }, ipv6: true });
      const v6only = network({ id: hex('c'), name: 'v6only', pool: undefined, pool6: { subnet: 'fd00:2::/64', gateway: 'fd00:2::1', ipRange: undefined }, ipv4: false, ipv6: true });
      store.networks.insert(dual);
      store.networks.insert(v6only);
      expect(store.networks.find('frontend')).to.deep.equal(dual);
      expect(store.networks.find('v6only')).to.deep.equal(v6only);
    });

    it('keeps a network without a pool (host, none)', () => {
      const n = network({ id: hex('b'), name: 'host', driver: 'host', pool: undefined, options: {}, driverData: {} });
      store.networks.insert(n);
      expect(store.networks.find('host')).to.deep.equal(n);
    });

    it('lists by creation time, then name', () => {
      store.networks.insert(network({ id: hex('1'), name: 'zeta', created: '2025-01-01T00:00:00.000Z' }));
      store.networks.insert(network({ id: hex('2'), name: 'alpha', created: '2025-01-02T00:00:00.000Z' }));
      store.networks.insert(network({ id: hex('3'), name: 'beta', created: '2025-01-01T00:00:00.000Z' }));
      expect(store.networks.all().map((n) => n.name)).to.deep.equal(['beta', 'zeta', 'alpha']);
    });

    it('refuses a duplicate name', () => {
      store.networks.insert(network());
      expect(() => store.networks.insert(network({ id: hex('b') }))).to.throw(/UNIQUE/);
    });

    it('finds by full id and by unique id prefix of 3+ hex chars', () => {
      store.networks.insert(network({ id: 'abc1' + '0'.repeat(60), name: 'one' }));
      store.networks.insert(network({ id: 'abc2' + '0'.repeat(60), name: 'two' }));
      expect(store.networks.find('abc1' + '0'.repeat(60))?.name).to.equal('one');
      expect(store.networks.find('abc2')?.name).to.equal('two');
      expect(store.networks.find('abc'), 'ambiguous prefix').to.equal(undefined);
      expect(store.networks.find('ab'), 'too short').to.equal(undefined);
    });

    it('prefers a name over an id prefix', () => {
      store.networks.insert(network({ id: 'abc' + '0'.repeat(61), name: 'other' }));
      store.networks.insert(network({ id: hex('d'), name: 'abc' }));
      expect(store.networks.find('abc')?.id).to.equal(hex('d'));
    });

    it('does not treat LIKE wildcards as a prefix', () => {
      store.networks.insert(network());
      expect(store.networks.find('___')).to.equal(undefined);
      expect(store.networks.find('%%%')).to.equal(undefined);
      expect(store.networks.find('aa%')).to.equal(undefined);
    });
  });

  describe('containers', () => {
    it('checks name uniqueness by exact name, not by id prefix', () => {
      store.containers.insert(container());
      expect(store.containers.nameTaken('web')).to.equal(true);
      // 'ccc' is a prefix of the id: a lookup finds the container, but the name is free.
      expect(store.containers.find('ccc')?.name).to.equal('web');
      expect(store.containers.nameTaken('ccc')).to.equal(false);
    });

    it('finds running containers that share a namespace', () => {
      store.containers.insert(container());
      store.containers.insert(container({ id: hex('d'), name: 'side', networkMode: 'container:web', status: 'running' }));
      store.containers.insert(container({ id: hex('f'), name: 'stopped', networkMode: 'container:web', status: 'exited' }));
      expect(store.containers.sharingNetns(['web', hex('c')]).map((c) => c.name)).to.deep.equal(['side']);
    });

    it('insert, update, get and delete round-trip every field', () => {
      const c = container();
      store.containers.insert(c);
      expect(defined(store.containers.find('web'))).to.deep.equal(c);
      const running: ContainerRecord = {
        ...c,
        status: 'running',
        sandboxKey: '/run/netns/ctrnet-ccc',
        sandboxKind: 'own',
        pid: 1234,
        pidStart: '98765',
        runId: 1,
        started: '2025-01-01T00:00:01.000Z',
      };
      store.containers.update(running);
      expect(defined(store.containers.find(c.id))).to.deep.equal(running);
      const exited: ContainerRecord = { ...running, status: 'exited', pid: undefined, pidStart: undefined, exitCode: 0, finished: '2025-01-01T00:00:02.000Z' };
      store.containers.update(exited);
      expect(defined(store.containers.all())).to.deep.equal(defined([exited]));
      store.containers.delete(c.id);
      expect(store.containers.all()).to.deep.equal([]);
    });

    it('finds by unique id prefix only, and only with hex', () => {
      store.containers.insert(container({ id: 'abc1' + '0'.repeat(60), name: 'one' }));
      store.containers.insert(container({ id: 'abc2' + '0'.repeat(60), name: 'two' }));
      expect(store.containers.find('abc1')?.name).to.equal('one');
      expect(store.containers.find('abc')).to.equal(undefined);
      expect(store.containers.find('___')).to.equal(undefined);
      expect(store.containers.find('nope')).to.equal(undefined);
    });

    it('refuses a duplicate name', () => {
      store.containers.insert(container());
      expect(() => store.containers.insert(container({ id: hex('d') }))).to.throw(/UNIQUE/);
    });

    it('deleting a container deletes its endpoints', () => {
      store.networks.insert(network());
      store.containers.insert(container());
      store.endpoints.upsert(endpoint());
      store.containers.delete(hex('c'));
      expect(store.endpoints.ofNetwork(hex('a'))).to.deep.equal([]);
    });
  });

  describe('endpoints', () => {
    beforeEach(() => {
      store.networks.insert(network());
      store.networks.insert(network({ id: hex('b'), name: 'backend' }));
      store.containers.insert(container());
      store.containers.insert(container({ id: hex('d'), name: 'db' }));
    });

    it('upsert inserts, then updates in place', () => {
      const e = endpoint();
      store.endpoints.upsert(e);
      store.endpoints.upsert({ ...e, ipv4: '172.20.0.9' });
      expect(store.endpoints.ofContainer(hex('c'))).to.deep.equal([{ ...e, ipv4: '172.20.0.9' }]);
    });

    it('lists by container and by network in insertion order', () => {
      const e1 = endpoint();
      const e2 = endpoint({ id: hex('f'), networkId: hex('b'), ifname: 'eth1', defaultRoute: false });
      const e3 = endpoint({ id: hex('9'), containerId: hex('d') });
      store.endpoints.upsert(e1);
      store.endpoints.upsert(e2);
      store.endpoints.upsert(e3);
      expect(store.endpoints.ofContainer(hex('c'))).to.deep.equal([e1, e2]);
      expect(store.endpoints.ofNetwork(hex('a'))).to.deep.equal([e1, e3]);
      store.endpoints.delete(e1.id);
      expect(store.endpoints.ofNetwork(hex('a'))).to.deep.equal([e3]);
    });

    it('refuses a second endpoint of one container on one network', () => {
      store.endpoints.upsert(endpoint());
      expect(() => store.endpoints.upsert(endpoint({ id: hex('f') }))).to.throw(/UNIQUE/);
    });

    it('refuses an endpoint on a network that does not exist', () => {
      expect(() => store.endpoints.upsert(endpoint({ networkId: hex('0') }))).to.throw(/FOREIGN KEY/);
    });
  });

  describe('ports', () => {
    const A = hex('1');
    const B = hex('2');

    function conflict(bindings: PortBinding[]): PortBinding {
      try {
        store.ports.reserve(bindings);
      } catch (err) {
        expect(err).to.be.instanceOf(PortConflict);
        return (err as PortConflict).holder;
      }
      expect.fail('reservePorts did not report a conflict');
    }

    it('reserves, lists and releases', () => {
      const b1 = binding({ containerId: A });
      const b2 = binding({ containerId: A, protocol: 'udp', hostPort: 5353, containerPort: 53 });
      const b3 = binding({ containerId: B, hostIp: '127.0.0.1', hostPort: 9090 });
      store.ports.reserve([b1, b2]);
      store.ports.reserve([b3]);
      expect(store.ports.ofContainer(A)).to.deep.equal([b1, b2]);
      expect(store.ports.all()).to.deep.equal([b1, b2, b3]);
      expect([...store.ports.usedHostPorts('tcp')].sort()).to.deep.equal([8080, 9090]);
      expect([...store.ports.usedHostPorts('udp')]).to.deep.equal([5353]);
      store.ports.releaseOf(A);
      expect(store.ports.all()).to.deep.equal([b3]);
    });

    it('same IP, port and protocol for another container conflicts, naming the holder', () => {
      const held = binding({ containerId: A, hostIp: '127.0.0.1' });
      store.ports.reserve([held]);
      expect(conflict([binding({ containerId: B, hostIp: '127.0.0.1' })])).to.deep.equal(held);
    });

    it('0.0.0.0 conflicts with a specific IP, both ways', () => {
      const wildcard = binding({ containerId: A, hostIp: '0.0.0.0' });
      store.ports.reserve([wildcard]);
      expect(conflict([binding({ containerId: B, hostIp: '10.0.0.1' })])).to.deep.equal(wildcard);
      store.ports.releaseOf(A);
      const specific = binding({ containerId: A, hostIp: '10.0.0.1' });
      store.ports.reserve([specific]);
      expect(conflict([binding({ containerId: B, hostIp: '0.0.0.0' })])).to.deep.equal(specific);
    });

    it('0.0.0.0 finds another holder even when the container holds a specific IP of that port itself', () => {
      store.ports.reserve([binding({ containerId: A, hostIp: '127.0.0.1' })]);
      const other = binding({ containerId: B, hostIp: '10.0.0.1' });
      store.ports.reserve([other]);
      expect(conflict([binding({ containerId: A, hostIp: '0.0.0.0' })])).to.deep.equal(other);
    });

    it('different specific IPs, protocols or ports do not conflict', () => {
      store.ports.reserve([binding({ containerId: A, hostIp: '127.0.0.1' })]);
      store.ports.reserve([binding({ containerId: B, hostIp: '127.0.0.2' })]);
      store.ports.reserve([binding({ containerId: B, hostIp: '127.0.0.1', protocol: 'udp' })]);
      store.ports.reserve([binding({ containerId: B, hostIp: '127.0.0.1', hostPort: 8081 })]);
      expect(store.ports.all()).to.have.length(4);
    });

    it('is all or nothing: a conflict keeps none of the batch', () => {
      store.ports.reserve([binding({ containerId: A, hostPort: 8082 })]);
      conflict([binding({ containerId: B, hostPort: 8081 }), binding({ containerId: B, hostPort: 8082 })]);
      expect(store.ports.ofContainer(B)).to.deep.equal([]);
    });

    it('is idempotent for the same container', () => {
      const b = binding({ containerId: A });
      store.ports.reserve([b]);
      store.ports.reserve([b]);
      expect(store.ports.all()).to.deep.equal([b]);
    });

    it('records a wildcard binding next to the container\'s own specific one', () => {
      const specific = binding({ containerId: A, hostIp: '127.0.0.1' });
      const wildcard = binding({ containerId: A, hostIp: '0.0.0.0', containerPort: 81 });
      store.ports.reserve([specific]);
      store.ports.reserve([wildcard]);
      expect(store.ports.ofContainer(A)).to.deep.equal([specific, wildcard]);
    });

    it('keeps the families apart: 0.0.0.0 covers IPv4 addresses, :: covers IPv6 ones', () => {
      store.ports.reserve([binding({ containerId: A, hostIp: '0.0.0.0' })]);
      store.ports.reserve([binding({ containerId: B, hostIp: '::', containerIp: 'fd00::2' })]);
      expect(() => store.ports.reserve([binding({ containerId: B, hostIp: '127.0.0.1' })]), '127.0.0.1 under 0.0.0.0').to.throw(PortConflict);
      expect(() => store.ports.reserve([binding({ containerId: A, hostIp: '::1', containerIp: 'fd00::3' })]), '::1 under ::').to.throw(PortConflict);
      expect(store.ports.overlapping('tcp', '::1', 8080).map((b) => b.containerId)).to.deep.equal([B]);
      expect(store.ports.overlapping('tcp', '10.0.0.1', 8080).map((b) => b.containerId)).to.deep.equal([A]);
    });

    it("keys a routed port by the container's address, overlapping only itself", () => {
      store.ports.reserve([binding({ containerId: A, hostIp: '0.0.0.0', hostPort: 80 })]);
      const routed = binding({ containerId: B, hostIp: '10.0.0.2', hostPort: 80, containerIp: '10.0.0.2', routed: true });
      store.ports.reserve([routed]);
      expect(store.ports.ofContainer(B)).to.deep.equal([routed]);
      expect(store.ports.overlapping('tcp', '10.0.0.9', 80).map((b) => b.containerId), 'a host address under 0.0.0.0').to.deep.equal([A]);
      expect(() => store.ports.reserve([{ ...routed, containerId: A }])).to.throw(PortConflict);
    });
  });

  describe('settings', () => {
    it('makes one installation id and keeps it through clear()', () => {
      const id = store.settings.installationId();
      expect(id).to.match(/^[0-9a-f]{64}$/);
      store.settings.set('backend', 'nftables');
      store.settings.clear();
      expect(store.settings.get('backend')).to.equal(undefined);
      expect(store.settings.installationId()).to.equal(id);
    });
  });

  describe('addresses', () => {
    it('allocates what the picker chooses, reports owners and releases', () => {
      const book = store.addresses;
      expect(book.allocate('p1', 'ep1', 4, (v) => (v.usedAmong(['10.0.0.2']).size === 0 ? { address: '10.0.0.2' } : undefined))).to.equal('10.0.0.2');
      expect(book.allocate('p1', 'ep2', 4, (v) => (v.usedAmong(['10.0.0.2', '10.0.0.3']).has('10.0.0.2') ? { address: '10.0.0.3' } : undefined))).to.equal('10.0.0.3');
      expect(book.allocate('p1', 'ep3', 4, () => undefined)).to.equal(undefined);
      expect(book.ownerOf('p1', '10.0.0.3')).to.equal('ep2');
      book.release('p1', '10.0.0.3');
      expect(book.ownerOf('p1', '10.0.0.3')).to.equal(undefined);
    });

    it('looks up only the addresses asked about, in the pool asked about', () => {
      const book = store.addresses;
      book.allocate('p1', 'ep1', 4, () => ({ address: '10.0.0.2' }));
      book.allocate('p2', 'ep2', 4, () => ({ address: '10.0.0.3' }));
      let seen: string[] = [];
      book.allocate('p1', 'ep3', 4, (v) => {
        seen = [...v.usedAmong(['10.0.0.2', '10.0.0.3', '10.0.0.4'])];
        return undefined;
      });
      expect(seen).to.deep.equal(['10.0.0.2']);
    });

    it('keeps the picker\'s cursor per pool and family; a release applies its rule, or drops it', () => {
      const book = store.addresses;
      const cursorOf = (pool: string, family: 4 | 6) => {
        let c: string | undefined;
        book.allocate(pool, 'probe', family, (v) => void (c = v.cursor));
        return c;
      };
      book.allocate('p1', 'ep1', 4, () => ({ address: '10.0.0.2', cursor: '10.0.0.3' }));
      book.allocate('p1', 'ep6', 6, () => ({ address: 'fd00::2', cursor: 'fd00::3' }));
      book.allocate('p1', 'ep2', 4, () => ({ address: '10.0.0.9' }));
      expect(cursorOf('p1', 4), 'a pick without a cursor leaves it').to.equal('10.0.0.3');
      book.release('p1', '10.0.0.2', (current) => (current === '10.0.0.3' ? '10.0.0.2' : 'wrong'));
      expect(cursorOf('p1', 4)).to.equal('10.0.0.2');
      expect(cursorOf('p1', 6), 'the other family keeps its own').to.equal('fd00::3');
      book.release('p1', '10.0.0.7', () => 'never asked: nothing was released');
      expect(cursorOf('p1', 4)).to.equal('10.0.0.2');
      book.release('p1', '10.0.0.9');
      expect(cursorOf('p1', 4), 'a release without a rule drops it').to.equal(undefined);
      book.releaseOwner('p1', 'ep6');
      expect(cursorOf('p1', 6), 'releaseOwner drops them').to.equal(undefined);
      book.allocate('p1', 'ep7', 4, () => ({ address: '10.0.0.4', cursor: '10.0.0.5' }));
      expect(store.addresses.releaseEverywhere('ep7')).to.equal(1);
      expect(cursorOf('p1', 4), 'so does gc\'s release of an owner everywhere').to.equal(undefined);
      book.allocate('p1', 'ep8', 4, () => ({ address: '10.0.0.4', cursor: '10.0.0.5' }));
      book.releasePool('p1');
      expect(cursorOf('p1', 4), 'and releasing the pool').to.equal(undefined);
    });

    it('claims pools atomically against overlaps', () => {
      const book = store.addresses;
      const overlaps = (a: string, b: string) => a.split('.')[1] === b.split('.')[1];
      expect(book.claimPool('n1', '10.1.0.0/16', overlaps)).to.equal(undefined);
      expect(book.claimPool('n2', '10.1.0.0/24', overlaps)).to.equal('10.1.0.0/16');
      expect(book.claimPool('n1', '10.1.0.0/16', overlaps), 'a pool does not clash with itself').to.equal(undefined);
      expect(book.poolSubnets()).to.deep.equal(['10.1.0.0/16']);
      book.allocate('n1', 'ep', 4, () => ({ address: '10.1.0.2' }));
      book.releasePool('n1');
      expect(book.poolSubnets()).to.deep.equal([]);
      expect(book.ownerOf('n1', '10.1.0.2')).to.equal(undefined);
    });

    it('keeps one pool per family under one pool id, and releases both together', () => {
      const book = store.addresses;
      const overlaps = (a: string, b: string) => a === b;
      expect(book.claimPool('n1', '10.1.0.0/16', overlaps)).to.equal(undefined);
      expect(book.claimPool('n1', 'fd00:1::/64', overlaps)).to.equal(undefined);
      expect(book.claimPool('n2', 'fd00:1::/64', overlaps)).to.equal('fd00:1::/64');
      expect(book.claimPool('n1', 'fd00:2::/64', overlaps), 're-claiming a family replaces its subnet').to.equal(undefined);
      expect(book.poolSubnets().sort()).to.deep.equal(['10.1.0.0/16', 'fd00:2::/64']);
      book.allocate('n1', 'ep', 6, () => ({ address: 'fd00:2::2' }));
      book.releasePool('n1');
      expect(book.poolSubnets()).to.deep.equal([]);
      expect(book.ownerOf('n1', 'fd00:2::2')).to.equal(undefined);
    });
  });

  describe('saga journal', () => {
    it('keeps undo records of unclosed operations, operations oldest first, undo newest first', () => {
      const first = store.operations.begin('network create a');
      first.record({ kind: 'bridge.delete', data: { name: 'ctr-a' } });
      first.record({ kind: 'rules.remove', data: { network: 'a' } });
      const closed = store.operations.begin('network create b');
      closed.record({ kind: 'bridge.delete', data: { name: 'ctr-b' } });
      closed.close();
      const second = store.operations.begin('run web');
      second.record({ kind: 'netns.delete', data: { path: '/run/netns/x' } });

      const open = store.operations.open();
      expect(open.map((o) => o.name)).to.deep.equal(['network create a', 'run web']);
      expect(open[0]!.pid).to.equal(process.pid);
      expect(Date.parse(open[0]!.started)).to.be.closeTo(Date.now(), 60_000);
      expect(open[0]!.undo).to.deep.equal([
        { kind: 'rules.remove', data: { network: 'a' } },
        { kind: 'bridge.delete', data: { name: 'ctr-a' } },
      ]);
      expect(open[1]!.undo).to.deep.equal([{ kind: 'netns.delete', data: { path: '/run/netns/x' } }]);

      store.operations.close(open[0]!.id);
      expect(store.operations.open().map((o) => o.name)).to.deep.equal(['run web']);
      const raw = new Database(join(dir, 'state', 'state.db'), { readonly: true });
      expect(raw.prepare('SELECT count(*) AS n FROM operation_undo').get()).to.deep.equal({ n: 1 });
      raw.close();
    });

    it('lists an operation without records', () => {
      store.operations.begin('noop');
      expect(store.operations.open()).to.have.length(1);
      expect(store.operations.open()[0]!.undo).to.deep.equal([]);
    });
  });

  describe('events journal', () => {
    it('appends events and reads them after a sequence number, oldest first', () => {
      store.events.append('network.create', { id: hex('a'), name: 'frontend' }, { subnet: '172.20.0.0/16' });
      store.events.append('container.start', { name: 'web' }, { pid: 42 });
      store.events.append('system.gc', {}, null);
      const all = store.events.after();
      expect(all.map((e) => e.type)).to.deep.equal(['network.create', 'container.start', 'system.gc']);
      expect(all[0]).to.include({ type: 'network.create', actorId: hex('a'), actorName: 'frontend' });
      expect(all[0]!.payload).to.deep.equal({ subnet: '172.20.0.0/16' });
      expect(all[1]!.actorId).to.equal(undefined);
      expect(all[2]!.payload).to.equal(null);
      expect(all[0]!.seq).to.be.lessThan(all[1]!.seq);
      expect(store.events.after(all[0]!.seq).map((e) => e.type)).to.deep.equal(['container.start', 'system.gc']);
      expect(store.events.after(0, 1)).to.have.length(1);
    });
  });
});

describe('OperationLock', function () {
  this.timeout(20_000);
  let dir: string;
  let store: Store;
  let child: ChildProcess | undefined;
  const lockModule = new URL('../src/store/lock.js', import.meta.url).href;

  /**
   * Start a node process that takes the lock of `dir`, prints "locked",
   * holds it `holdMs`, appends "child done" to `dir`/trace and exits.
   */
  function holder(holdMs: number): Promise<ChildProcess> {
    const script = `
      import { appendFileSync } from 'node:fs';
      const [url, dir, hold] = process.argv.slice(1);
      const { OperationLock } = await import(url);
      const lock = new OperationLock(dir);
      await lock.withLock(async () => {
        process.stdout.write('locked\\n');
        await new Promise((r) => setTimeout(r, Number(hold)));
        appendFileSync(dir + '/trace', 'child done\\n');
      });
      lock.close();
    `;
    const proc = spawn(process.execPath, ['--input-type=module', '-e', script, lockModule, dir, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = proc;
    return new Promise((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
      proc.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve(proc);
      });
    });
  }

  const exited = (proc: ChildProcess) => new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));

  /** Whether another connection could take the lock right now (no waiting). */
  function lockIsFree(): boolean {
    const probe = new Database(join(dir, 'lock.db'));
    probe.pragma('busy_timeout = 0');
    try {
      probe.exec('BEGIN EXCLUSIVE');
      probe.exec('COMMIT');
      return true;
    } catch (err) {
      expect((err as { code?: string }).code).to.equal('SQLITE_BUSY');
      return false;
    } finally {
      probe.close();
    }
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctrnet-lock-'));
    store = new Store(dir);
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    child = undefined;
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serialises two processes: withLock waits for the other holder', async () => {
    const proc = await holder(300);
    expect(lockIsFree()).to.equal(false);
    const began = Date.now();
    let trace = '';
    await store.lock.withLock(async () => {
      trace = readFileSync(join(dir, 'trace'), 'utf8');
    });
    expect(Date.now() - began).to.be.at.least(200);
    expect(trace).to.equal('child done\n');
    await exited(proc);
    expect(proc.exitCode).to.equal(0);
  });

  it('is released by the kernel when the holder is SIGKILLed', async () => {
    const proc = await holder(60_000);
    expect(lockIsFree()).to.equal(false);
    proc.kill('SIGKILL');
    await exited(proc);
    const began = Date.now();
    await store.lock.withLock(async () => {});
    expect(Date.now() - began).to.be.below(1000);
  });

  it('is re-entrant within one process and released after the outermost call', async () => {
    const result = await store.lock.withLock(async () => {
      expect(lockIsFree()).to.equal(false);
      return store.lock.withLock(async () => 'inner');
    });
    expect(result).to.equal('inner');
    expect(lockIsFree()).to.equal(true);
  });

  it('is released when the work throws', async () => {
    const err = await store.lock.withLock(async () => {
      throw new Error('work failed');
    }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('work failed');
    expect(lockIsFree()).to.equal(true);
  });
});
