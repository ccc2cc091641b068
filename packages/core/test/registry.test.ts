import { expect } from 'chai';
import {
  CORE_API_VERSION,
  CtrnetError,
  EventBus,
  Registry,
  definePlugin,
  type CtrnetPlugin,
  type IpamDriver,
  type NetworkDriver,
  type PluginApi,
  type PortPublisher,
} from '../src/index.js';

const net = (name: string) => ({ name }) as NetworkDriver;
const ipam = (name: string) => ({ name }) as IpamDriver;
const publisher = (name: string) => ({ name }) as PortPublisher;

function plugin(name: string, register: (api: PluginApi) => void | Promise<void> = () => {}, extra: Partial<CtrnetPlugin> = {}): CtrnetPlugin {
  return definePlugin({ name, coreVersion: '^0.2.0', register, ...extra });
}

/** The CtrnetError `work` rejects with. */
async function failure(work: () => Promise<unknown>): Promise<CtrnetError> {
  try {
    await work();
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    return err as CtrnetError;
  }
  expect.fail('expected a CtrnetError');
}

function oneLine(err: Error): void {
  expect(err.message).not.to.include('\n');
}

describe('Registry', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry(new EventBus());
  });

  it('gives plugins their settings, and keeps their services and info sections in order', async () => {
    const cluster = { etcd: ['http://10.0.0.1:2379'], hostName: 'a', advertiseAddress: '10.0.0.2', leaseTtlSeconds: 15 };
    const withSettings = new Registry(new EventBus(), { stateDir: '/var/lib/x', cluster });
    const seen: unknown[] = [];
    const service = { name: 'watch', start: async () => {}, stop: async () => {} };
    const section = { title: 'Cluster', lines: async () => ['ok'] };
    await withSettings.register(
      plugin('@x/cluster', (api) => {
        seen.push(api.settings);
        api.registerService(service);
        api.registerInfoSection(section);
      }),
      'test',
    );
    expect(seen).to.deep.equal([{ stateDir: '/var/lib/x', cluster }]);
    expect(withSettings.services()).to.deep.equal([service]);
    expect(withSettings.infoSections()).to.deep.equal([section]);
    expect(withSettings.plugins()[0]!.registered.services).to.deep.equal(['watch']);
    const bad = await failure(() => registry.register(plugin('@x/bad', (api) => api.registerService({ name: 'x' } as never)), 'test'));
    expect(bad.code).to.equal('PLUGIN_INVALID');
    expect(bad.message).to.include('start() and stop()');
    oneLine(bad);
  });

  it('registers drivers, IPAM drivers and publishers and finds them by name', async () => {
    const d = net('bridge');
    const i = ipam('default');
    const p = publisher('nftables');
    await registry.register(
      plugin('@ctrnet/everything', (api) => {
        api.registerNetworkDriver(d);
        api.registerIpamDriver(i);
        api.registerPortPublisher(p);
        api.registerPortPublisher(publisher('iptables'));
      }),
      'test',
    );
    expect(registry.networkDriver('bridge')).to.equal(d);
    expect(registry.ipamDriver('default')).to.equal(i);
    expect(registry.portPublisher('nftables').name).to.equal(p.name);
    expect(registry.portPublisherNames()).to.deep.equal(['nftables', 'iptables']);
    expect(registry.networkDriverNames()).to.deep.equal(['bridge']);
  });

  it('describes loaded plugins for system info, hooks included', async () => {
    await registry.register(
      plugin('a', (api) => {
        api.registerNetworkDriver(net('x'));
        api.events.hook('container.start', () => {});
        api.events.on('container.stop', () => {});
      }, { version: '2.0.0' }),
      './a.js',
    );
    await registry.register(plugin('b'), 'b-package');
    expect(registry.plugins()).to.deep.equal([
      { name: 'a', version: '2.0.0', source: './a.js', registered: { networkDrivers: ['x'], ipamDrivers: [], portPublishers: [], hooks: ['container.start'], services: [] } },
      { name: 'b', version: 'unknown', source: 'b-package', registered: { networkDrivers: [], ipamDrivers: [], portPublishers: [], hooks: [], services: [] } },
    ]);
  });

  it('checks dependencies at registration: each must be loaded before, named in the error', async () => {
    await registry.register(plugin('base'), 'base');
    await registry.register(plugin('needs-base', () => {}, { dependencies: ['base'] }), './needs-base.js');
    let caught: unknown;
    try {
      await registry.register(plugin('needs-two', () => {}, { dependencies: ['base', 'overlay-ipam'] }), './needs-two.js');
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(CtrnetError);
    expect((caught as CtrnetError).code).to.equal('PLUGIN_INVALID');
    expect((caught as CtrnetError).message).to.equal(
      `plugin needs-two (./needs-two.js) needs overlay-ipam, which is not loaded before it; list overlay-ipam before needs-two in the config's "plugins"`,
    );
    expect(registry.plugins().map((p) => p.name)).to.deep.equal(['base', 'needs-base']);
  });

  it('shows the package version when the plugin declares none', async () => {
    await registry.register(plugin('a'), 'a', '1.2.3');
    expect(registry.plugins()[0]!.version).to.equal('1.2.3');
  });

  it('wires plugin hooks to the bus under the plugin name', async () => {
    const bus = new EventBus();
    registry = new Registry(bus);
    await registry.register(
      plugin('slowpoke', (api) => {
        api.events.hook('network.create', () => new Promise(() => {}), { timeoutMs: 10 });
      }),
      'x',
    );
    const err = await failure(() => bus.emit('network.create', { network: {} as never }));
    expect(err.code).to.equal('HOOK_TIMEOUT');
    expect(err.message).to.include('plugin slowpoke');
  });

  describe('refuses malformed plugins with PLUGIN_INVALID', () => {
    for (const [what, value] of [
      ['undefined (no default export)', undefined],
      ['null', null],
      ['a number', 42],
      ['a string', 'plugin'],
    ] as const) {
      it(`not an object: ${what}`, async () => {
        const err = await failure(() => registry.register(value, './bad.js'));
        expect(err.code).to.equal('PLUGIN_INVALID');
        expect(err.message).to.equal(
          'plugin ./bad.js does not default-export a plugin object; export default definePlugin({ name, coreVersion, register })',
        );
      });
    }

    it('names every missing field at once', async () => {
      const err = await failure(() => registry.register({}, 'empty'));
      expect(err.code).to.equal('PLUGIN_INVALID');
      expect(err.message).to.equal(
        'plugin empty is missing "name" (a non-empty string), "coreVersion" (a semver range such as "^0.2.0"), "register" (a function); export default definePlugin({ name, coreVersion, register })',
      );
    });

    for (const [field, value, fragment] of [
      ['name', '', '"name" (a non-empty string)'],
      ['name', 7, '"name" (a non-empty string)'],
      ['coreVersion', undefined, '"coreVersion" (a semver range'],
      ['coreVersion', 'not a range', '"coreVersion" (a semver range'],
      ['register', 'yes', '"register" (a function)'],
    ] as const) {
      it(`${field} = ${JSON.stringify(value)}`, async () => {
        const bad = { ...plugin('p'), [field]: value };
        const err = await failure(() => registry.register(bad, 'src'));
        expect(err.code).to.equal('PLUGIN_INVALID');
        expect(err.message).to.include(`plugin src is missing ${fragment}`);
        expect(err.message.match(/"(name|coreVersion|register)" \(/g)).to.have.length(1);
      });
    }

    it('an incompatible coreVersion names both versions', async () => {
      const err = await failure(() => registry.register(plugin('future', () => {}, { coreVersion: '^2.0.0' }), './future.js'));
      expect(err.code).to.equal('PLUGIN_INVALID');
      expect(err.message).to.equal(
        `plugin future (./future.js) supports core ^2.0.0 but this is core ${CORE_API_VERSION}; install a version of the plugin built for it`,
      );
      expect(registry.plugins()).to.deep.equal([]);
    });

    it('a plugin loaded twice', async () => {
      await registry.register(plugin('twice'), 'first');
      const err = await failure(() => registry.register(plugin('twice'), 'second'));
      expect(err.code).to.equal('PLUGIN_INVALID');
      expect(err.message).to.equal(`plugin twice is loaded twice (again from second); list it once in the config's "plugins"`);
    });

    for (const [kind, registerTwo] of [
      ['network driver', (api: PluginApi) => api.registerNetworkDriver(net('dup'))],
      ['IPAM driver', (api: PluginApi) => api.registerIpamDriver(ipam('dup'))],
      ['port publisher', (api: PluginApi) => api.registerPortPublisher(publisher('dup'))],
    ] as const) {
      it(`${kind} name registered by two plugins`, async () => {
        await registry.register(plugin('first', registerTwo), 'a');
        const err = await failure(() => registry.register(plugin('second', registerTwo), 'b'));
        expect(err.code).to.equal('PLUGIN_INVALID');
        expect(err.message).to.equal(
          `plugin second registers ${kind} "dup", already registered by first; remove one of them from the config's "plugins"`,
        );
      });
    }

    it('a driver without a name', async () => {
      const err = await failure(() => registry.register(plugin('nameless', (api) => api.registerNetworkDriver({} as NetworkDriver)), 'n'));
      expect(err.code).to.equal('PLUGIN_INVALID');
      expect(err.message).to.equal('plugin nameless registered a network driver without a name; give it a "name" property');
    });

    it('register() throwing: wrapped with the plugin, the source and the cause', async () => {
      const cause = new Error('boom');
      const err = await failure(() =>
        registry.register(
          plugin('crashy', () => {
            throw cause;
          }),
          './crashy.js',
        ),
      );
      expect(err.code).to.equal('PLUGIN_INVALID');
      expect(err.message).to.equal('plugin crashy (./crashy.js) failed to register: boom');
      expect(err.cause).to.equal(cause);
      expect(registry.plugins()).to.deep.equal([]);
    });

    it('register() rejecting asynchronously is handled the same way', async () => {
      const err = await failure(() => registry.register(plugin('late', async () => Promise.reject(new Error('later'))), 'l'));
      expect(err.message).to.equal('plugin late (l) failed to register: later');
    });

    it('register() throwing a CtrnetError: passed through unchanged', async () => {
      const own = new CtrnetError('INVALID_CONFIG', 'plugin option x is bad');
      const err = await failure(() =>
        registry.register(
          plugin('strict', () => {
            throw own;
          }),
          's',
        ),
      );
      expect(err).to.equal(own);
    });
  });

  describe('unknown names', () => {
    it('list what is available', async () => {
      await registry.register(
        plugin('p', (api) => {
          api.registerNetworkDriver(net('bridge'));
          api.registerNetworkDriver(net('host'));
        }),
        'p',
      );
      const err = await failure(async () => registry.networkDriver('macvlan'));
      expect(err.code).to.equal('NOT_FOUND');
      expect(err.message).to.equal(
        `unknown network driver "macvlan"; available: bridge, host (load the plugin that provides it via the config's "plugins")`,
      );
      oneLine(err);
    });

    it('say "none" when nothing of that kind is loaded', async () => {
      for (const [lookup, kind] of [
        [() => registry.ipamDriver('default'), 'IPAM driver'],
        [() => registry.portPublisher('nftables'), 'port publisher'],
      ] as const) {
        const err = await failure(async () => lookup());
        expect(err.code).to.equal('NOT_FOUND');
        expect(err.message).to.match(new RegExp(`^unknown ${kind} ".+"; available: none `));
      }
    });
  });
});
