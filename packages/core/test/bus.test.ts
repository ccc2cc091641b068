import { expect } from 'chai';
import { CtrnetError, DEFAULT_HOOK_TIMEOUT_MS, EventBus, LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '../src/index.js';

const container = { id: 'c'.repeat(64), name: 'web' };
const start = { container, pid: 42 };

async function failure(work: () => Promise<unknown> | unknown): Promise<CtrnetError> {
  try {
    await work();
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    return err as CtrnetError;
  }
  expect.fail('expected a CtrnetError');
}

describe('EventBus', () => {
  let bus: EventBus;
  let log: string[];
  beforeEach(() => {
    bus = new EventBus();
    log = [];
  });

  it('notifies listeners in subscription order with the payload', async () => {
    const seen: unknown[] = [];
    bus.on('container.start', (p) => void log.push(`a ${p.pid}`));
    bus.on('container.start', (p) => void seen.push(p));
    bus.on('container.start', () => void log.push('c'));
    await bus.emit('container.start', start);
    expect(log).to.deep.equal(['a 42', 'c']);
    expect(seen).to.deep.equal([start]);
  });

  it('only notifies listeners of the emitted event', async () => {
    bus.on('container.stop', () => void log.push('stop'));
    await bus.emit('container.start', start);
    expect(log).to.deep.equal([]);
  });

  it('awaits hooks one after another, in order, before any listener', async () => {
    bus.on('container.start', () => void log.push('listener'));
    bus.hook('container.start', async () => {
      log.push('hook 1 begins');
      await new Promise((r) => setTimeout(r, 20));
      log.push('hook 1 ends');
    });
    bus.hook('container.start', () => void log.push('hook 2'));
    const emitted = bus.emit('container.start', start);
    log.push('emit returned');
    await emitted;
    expect(log).to.deep.equal(['hook 1 begins', 'emit returned', 'hook 1 ends', 'hook 2', 'listener']);
  });

  it('fails the emit when a hook throws, skipping later hooks and listeners', async () => {
    bus.hook('network.remove', () => {
      throw new CtrnetError('INVALID_STATE', 'network in use');
    });
    bus.hook('network.remove', () => void log.push('second hook'));
    bus.on('network.remove', () => void log.push('listener'));
    const err = await failure(() => bus.emit('network.remove', { network: {} as never }));
    expect(err.message).to.equal('network in use');
    expect(log).to.deep.equal([]);
  });

  it('fails a hook that exceeds its timeout with HOOK_TIMEOUT naming the plugin', async () => {
    bus.hook('endpoint.join', () => new Promise(() => {}), { timeoutMs: 30, owner: '@acme/slow' });
    bus.on('endpoint.join', () => void log.push('listener'));
    const began = Date.now();
    const err = await failure(() => bus.emit('endpoint.join', {} as never));
    expect(Date.now() - began).to.be.within(25, 1000);
    expect(err.code).to.equal('HOOK_TIMEOUT');
    expect(err.exitStatus).to.equal(1);
    expect(err.message).to.equal('hook of plugin @acme/slow for endpoint.join did not finish within 30 ms; fix or remove the plugin');
    expect(log).to.deep.equal([]);
  });

  it('names an anonymous hook and defaults to a 5 s timeout', async () => {
    expect(DEFAULT_HOOK_TIMEOUT_MS).to.equal(5000);
    bus.hook('container.create', () => new Promise(() => {}), { timeoutMs: 1 });
    const err = await failure(() => bus.emit('container.create', { container, networkMode: 'bridge' }));
    expect(err.message).to.match(/^hook of plugin anonymous for container\.create /);
  });

  it('does not time out a hook that finishes in time', async () => {
    bus.hook('container.start', () => new Promise((r) => setTimeout(r, 5)), { timeoutMs: 500 });
    await bus.emit('container.start', start);
  });

  it('a throwing listener does not fail the emit nor stop the other listeners', async () => {
    bus.on('container.stop', () => {
      throw new Error('listener bug');
    });
    bus.on('container.stop', () => void log.push('second listener'));
    await bus.emit('container.stop', { container, exitCode: 0 });
    expect(log).to.deep.equal(['second listener']);
  });

  it('unsubscribes listeners and hooks', async () => {
    const off = bus.on('container.start', () => void log.push('listener'));
    const unhook = bus.hook('container.start', () => void log.push('hook'));
    off();
    unhook();
    unhook(); // twice is harmless
    await bus.emit('container.start', start);
    expect(log).to.deep.equal([]);
  });

  describe('refuses unknown event names at subscribe time', () => {
    for (const [method, act] of [
      ['on', (b: EventBus) => b.on('container.started' as LifecycleEventName, () => {})],
      ['hook', (b: EventBus) => b.hook('Container.start' as LifecycleEventName, () => {})],
      ['emit', (b: EventBus) => b.emit('port.published' as LifecycleEventName, {} as never)],
    ] as const) {
      it(method, async () => {
        const err = await failure(() => act(bus));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.match(/^unknown lifecycle event "[^"]+"; valid events: container\.create, container\.start, /);
        expect(err.message).to.include(LIFECYCLE_EVENT_NAMES.join(', '));
      });
    }
    it('throws synchronously from on() and hook()', () => {
      expect(() => bus.on('nope' as LifecycleEventName, () => {})).to.throw(CtrnetError, 'unknown lifecycle event "nope"');
      expect(() => bus.hook('nope' as LifecycleEventName, () => {})).to.throw(CtrnetError, 'unknown lifecycle event "nope"');
    });
  });
});
