import Database from 'better-sqlite3';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    internal: false,
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
      store.insertNetwork(network());
      store.close();
      store = new Store(join(dir, 'state'));
      expect(store.networks()).to.have.length(1);
    });

    it('refuses a database with a newer schema (STATE_ERROR)', () => {
      store.db.pragma('user_version = 999');
      store.close();
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
      store.insertNetwork(n);
      expect(store.networks()).to.deep.equal([n]);
      expect(store.network('frontend')).to.deep.equal(n);
      store.deleteNetwork(n.id);
      expect(store.networks()).to.deep.equal([]);
      expect(store.network('frontend')).to.equal(undefined);
    });

    it('keeps a network without a pool (host, none)', () => {
      const n = network({ id: hex('b'), name: 'host', driver: 'host', pool: undefined, options: {}, driverData: {} });
      store.insertNetwork(n);
      expect(store.network('host')).to.deep.equal(n);
    });

    it('lists by creation time, then name', () => {
      store.insertNetwork(network({ id: hex('1'), name: 'zeta', created: '2025-01-01T00:00:00.000Z' }));
      store.insertNetwork(network({ id: hex('2'), name: 'alpha', created: '2025-01-02T00:00:00.000Z' }));
      store.insertNetwork(network({ id: hex('3'), name: 'beta', created: '2025-01-01T00:00:00.000Z' }));
      expect(store.networks().map((n) => n.name)).to.deep.equal(['beta', 'zeta', 'alpha']);
    });

    it('refuses a duplicate name', () => {
      store.insertNetwork(network());
      expect(() => store.insertNetwork(network({ id: hex('b') }))).to.throw(/UNIQUE/);
    });

    it('finds by full id and by unique id prefix of 3+ hex chars', () => {
      store.insertNetwork(network({ id: 'abc1' + '0'.repeat(60), name: 'one' }));
      store.insertNetwork(network({ id: 'abc2' + '0'.repeat(60), name: 'two' }));
      expect(store.network('abc1' + '0'.repeat(60))?.name).to.equal('one');
      expect(store.network('abc2')?.name).to.equal('two');
      expect(store.network('abc'), 'ambiguous prefix').to.equal(undefined);
      expect(store.network('ab'), 'too short').to.equal(undefined);
    });

    it('prefers a name over an id prefix', () => {
      store.insertNetwork(network({ id: 'abc' + '0'.repeat(61), name: 'other' }));
      store.insertNetwork(network({ id: hex('d'), name: 'abc' }));
      expect(store.network('abc')?.id).to.equal(hex('d'));
    });

    it('does not treat LIKE wildcards as a prefix', () => {
      store.insertNetwork(network());
      expect(store.network('___')).to.equal(undefined);
      expect(store.network('%%%')).to.equal(undefined);
      expect(store.network('aa%')).to.equal(undefined);
    });
  });

  describe('containers', () => {
    it('checks name uniqueness by exact name, not by id prefix', () => {
      store.insertContainer(container());
      expect(store.containerNameTaken('web')).to.equal(true);
      // 'ccc' is a prefix of the id: a lookup finds the container, but the name is free.
      expect(store.container('ccc')?.name).to.equal('web');
      expect(store.containerNameTaken('ccc')).to.equal(false);
    });

    it('finds running containers that share a namespace', () => {
      store.insertContainer(container());
      store.insertContainer(container({ id: hex('d'), name: 'side', networkMode: 'container:web', status: 'running' }));
      store.insertContainer(container({ id: hex('f'), name: 'stopped', networkMode: 'container:web', status: 'exited' }));
      expect(store.containersSharingNetns(['web', hex('c')]).map((c) => c.name)).to.deep.equal(['side']);
    });

    it('insert, update, get and delete round-trip every field', () => {
      const c = container();
      store.insertContainer(c);
      expect(defined(store.container('web'))).to.deep.equal(c);
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
      store.updateContainer(running);
      expect(defined(store.container(c.id))).to.deep.equal(running);
      const exited: ContainerRecord = { ...running, status: 'exited', pid: undefined, pidStart: undefined, exitCode: 0, finished: '2025-01-01T00:00:02.000Z' };
      store.updateContainer(exited);
      expect(defined(store.containers())).to.deep.equal(defined([exited]));
      store.deleteContainer(c.id);
      expect(store.containers()).to.deep.equal([]);
    });

    it('finds by unique id prefix only, and only with hex', () => {
      store.insertContainer(container({ id: 'abc1' + '0'.repeat(60), name: 'one' }));
      store.insertContainer(container({ id: 'abc2' + '0'.repeat(60), name: 'two' }));
      expect(store.container('abc1')?.name).to.equal('one');
      expect(store.container('abc')).to.equal(undefined);
      expect(store.container('___')).to.equal(undefined);
      expect(store.container('nope')).to.equal(undefined);
    });

    it('refuses a duplicate name', () => {
      store.insertContainer(container());
      expect(() => store.insertContainer(container({ id: hex('d') }))).to.throw(/UNIQUE/);
    });

    it('deleting a container deletes its endpoints', () => {
      store.insertNetwork(network());
      store.insertContainer(container());
      store.upsertEndpoint(endpoint());
      store.deleteContainer(hex('c'));
      expect(store.endpointsOfNetwork(hex('a'))).to.deep.equal([]);
    });
  });

  describe('endpoints', () => {
    beforeEach(() => {
      store.insertNetwork(network());
      store.insertNetwork(network({ id: hex('b'), name: 'backend' }));
      store.insertContainer(container());
      store.insertContainer(container({ id: hex('d'), name: 'db' }));
    });

    it('upsert inserts, then updates in place', () => {
      const e = endpoint();
      store.upsertEndpoint(e);
      store.upsertEndpoint({ ...e, ipv4: '172.20.0.9' });
      expect(store.endpointsOfContainer(hex('c'))).to.deep.equal([{ ...e, ipv4: '172.20.0.9' }]);
    });

    it('lists by container and by network in insertion order', () => {
      const e1 = endpoint();
      const e2 = endpoint({ id: hex('f'), networkId: hex('b'), ifname: 'eth1', defaultRoute: false });
      const e3 = endpoint({ id: hex('9'), containerId: hex('d') });
      store.upsertEndpoint(e1);
      store.upsertEndpoint(e2);
      store.upsertEndpoint(e3);
      expect(store.endpointsOfContainer(hex('c'))).to.deep.equal([e1, e2]);
      expect(store.endpointsOfNetwork(hex('a'))).to.deep.equal([e1, e3]);
      store.deleteEndpoint(e1.id);
      expect(store.endpointsOfNetwork(hex('a'))).to.deep.equal([e3]);
    });

    it('refuses a second endpoint of one container on one network', () => {
      store.upsertEndpoint(endpoint());
      expect(() => store.upsertEndpoint(endpoint({ id: hex('f') }))).to.throw(/UNIQUE/);
    });

    it('refuses an endpoint on a network that does not exist', () => {
      expect(() => store.upsertEndpoint(endpoint({ networkId: hex('0') }))).to.throw(/FOREIGN KEY/);
    });
  });

  describe('ports', () => {
    const A = hex('1');
    const B = hex('2');

    function conflict(bindings: PortBinding[]): PortBinding {
      try {
        store.reservePorts(bindings);
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
      expect(store.reservePorts([b1, b2])).to.deep.equal({});
      store.reservePorts([b3]);
      expect(store.portsOfContainer(A)).to.deep.equal([b1, b2]);
      expect(store.allPorts()).to.deep.equal([b1, b2, b3]);
      expect([...store.usedHostPorts('tcp')].sort()).to.deep.equal([8080, 9090]);
      expect([...store.usedHostPorts('udp')]).to.deep.equal([5353]);
      store.releasePortsOf(A);
      expect(store.allPorts()).to.deep.equal([b3]);
    });

    it('same IP, port and protocol for another container conflicts, naming the holder', () => {
      const held = binding({ containerId: A, hostIp: '127.0.0.1' });
      store.reservePorts([held]);
      expect(conflict([binding({ containerId: B, hostIp: '127.0.0.1' })])).to.deep.equal(held);
    });

    it('0.0.0.0 conflicts with a specific IP, both ways', () => {
      const wildcard = binding({ containerId: A, hostIp: '0.0.0.0' });
      store.reservePorts([wildcard]);
      expect(conflict([binding({ containerId: B, hostIp: '10.0.0.1' })])).to.deep.equal(wildcard);
      store.releasePortsOf(A);
      const specific = binding({ containerId: A, hostIp: '10.0.0.1' });
      store.reservePorts([specific]);
      expect(conflict([binding({ containerId: B, hostIp: '0.0.0.0' })])).to.deep.equal(specific);
    });

    it('0.0.0.0 finds another holder even when the container holds a specific IP of that port itself', () => {
      store.reservePorts([binding({ containerId: A, hostIp: '127.0.0.1' })]);
      const other = binding({ containerId: B, hostIp: '10.0.0.1' });
      store.reservePorts([other]);
      expect(conflict([binding({ containerId: A, hostIp: '0.0.0.0' })])).to.deep.equal(other);
    });

    it('different specific IPs, protocols or ports do not conflict', () => {
      store.reservePorts([binding({ containerId: A, hostIp: '127.0.0.1' })]);
      store.reservePorts([binding({ containerId: B, hostIp: '127.0.0.2' })]);
      store.reservePorts([binding({ containerId: B, hostIp: '127.0.0.1', protocol: 'udp' })]);
      store.reservePorts([binding({ containerId: B, hostIp: '127.0.0.1', hostPort: 8081 })]);
      expect(store.allPorts()).to.have.length(4);
    });

    it('is all or nothing: a conflict keeps none of the batch', () => {
      store.reservePorts([binding({ containerId: A, hostPort: 8082 })]);
      conflict([binding({ containerId: B, hostPort: 8081 }), binding({ containerId: B, hostPort: 8082 })]);
      expect(store.portsOfContainer(B)).to.deep.equal([]);
    });

    it('is idempotent for the same container', () => {
      const b = binding({ containerId: A });
      store.reservePorts([b]);
      store.reservePorts([b]);
      expect(store.allPorts()).to.deep.equal([b]);
    });

    it('records a wildcard binding next to the container\'s own specific one', () => {
      const specific = binding({ containerId: A, hostIp: '127.0.0.1' });
      const wildcard = binding({ containerId: A, hostIp: '0.0.0.0', containerPort: 81 });
      store.reservePorts([specific]);
      store.reservePorts([wildcard]);
      expect(store.portsOfContainer(A)).to.deep.equal([specific, wildcard]);
    });
  });

  describe('addresses', () => {
    it('allocates what the picker chooses, reports owners and releases', () => {
      const book = store.addresses;
      expect(book.allocate('p1', 'ep1', (used) => (used.size === 0 ? '10.0.0.2' : undefined))).to.equal('10.0.0.2');
      expect(book.allocate('p1', 'ep2', (used) => (used.has('10.0.0.2') ? '10.0.0.3' : undefined))).to.equal('10.0.0.3');
      expect(book.allocate('p1', 'ep3', () => undefined)).to.equal(undefined);
      expect(book.ownerOf('p1', '10.0.0.3')).to.equal('ep2');
      book.release('p1', '10.0.0.3');
      expect(book.ownerOf('p1', '10.0.0.3')).to.equal(undefined);
    });

    it('claims pools atomically against overlaps', () => {
      const book = store.addresses;
      const overlaps = (a: string, b: string) => a.split('.')[1] === b.split('.')[1];
      expect(book.claimPool('n1', '10.1.0.0/16', overlaps)).to.equal(undefined);
      expect(book.claimPool('n2', '10.1.0.0/24', overlaps)).to.equal('10.1.0.0/16');
      expect(book.claimPool('n1', '10.1.0.0/16', overlaps), 'a pool does not clash with itself').to.equal(undefined);
      expect(book.poolSubnets()).to.deep.equal(['10.1.0.0/16']);
      book.allocate('n1', 'ep', () => '10.1.0.2');
      book.releasePool('n1');
      expect(book.poolSubnets()).to.deep.equal([]);
      expect(book.ownerOf('n1', '10.1.0.2')).to.equal(undefined);
    });
  });

  describe('saga journal', () => {
    it('keeps undo records of unclosed operations, operations oldest first, undo newest first', () => {
      const first = store.beginOperation('network create a');
      first.record({ kind: 'bridge.delete', data: { name: 'ctr-a' } });
      first.record({ kind: 'rules.remove', data: { network: 'a' } });
      const closed = store.beginOperation('network create b');
      closed.record({ kind: 'bridge.delete', data: { name: 'ctr-b' } });
      closed.close();
      const second = store.beginOperation('run web');
      second.record({ kind: 'netns.delete', data: { path: '/run/netns/x' } });

      const open = store.openOperations();
      expect(open.map((o) => o.name)).to.deep.equal(['network create a', 'run web']);
      expect(open[0]!.pid).to.equal(process.pid);
      expect(Date.parse(open[0]!.started)).to.be.closeTo(Date.now(), 60_000);
      expect(open[0]!.undo).to.deep.equal([
        { kind: 'rules.remove', data: { network: 'a' } },
        { kind: 'bridge.delete', data: { name: 'ctr-a' } },
      ]);
      expect(open[1]!.undo).to.deep.equal([{ kind: 'netns.delete', data: { path: '/run/netns/x' } }]);

      store.closeOperation(open[0]!.id);
      expect(store.openOperations().map((o) => o.name)).to.deep.equal(['run web']);
      expect(store.db.prepare('SELECT count(*) AS n FROM operation_undo').get()).to.deep.equal({ n: 1 });
    });

    it('lists an operation without records', () => {
      store.beginOperation('noop');
      expect(store.openOperations()).to.have.length(1);
      expect(store.openOperations()[0]!.undo).to.deep.equal([]);
    });
  });

  describe('events journal', () => {
    it('appends events and reads them after a sequence number, oldest first', () => {
      store.appendEvent('network.create', { id: hex('a'), name: 'frontend' }, { subnet: '172.20.0.0/16' });
      store.appendEvent('container.start', { name: 'web' }, { pid: 42 });
      store.appendEvent('system.gc', {}, null);
      const all = store.events();
      expect(all.map((e) => e.type)).to.deep.equal(['network.create', 'container.start', 'system.gc']);
      expect(all[0]).to.include({ type: 'network.create', actorId: hex('a'), actorName: 'frontend' });
      expect(all[0]!.payload).to.deep.equal({ subnet: '172.20.0.0/16' });
      expect(all[1]!.actorId).to.equal(undefined);
      expect(all[2]!.payload).to.equal(null);
      expect(all[0]!.seq).to.be.lessThan(all[1]!.seq);
      expect(store.events(all[0]!.seq).map((e) => e.type)).to.deep.equal(['container.start', 'system.gc']);
      expect(store.events(0, 1)).to.have.length(1);
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
