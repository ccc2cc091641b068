import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_PLUGINS, CtrnetError, EventBus, Registry, loadPlugins } from '../src/index.js';

/** dist/test: the fixture modules are in ./fixtures next to this file once compiled. */
const here = dirname(fileURLToPath(import.meta.url));

async function loadFailure(registry: Registry, specs: string[], baseDir = here): Promise<CtrnetError> {
  try {
    await loadPlugins(registry, specs, baseDir);
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    const e = err as CtrnetError;
    expect(e.message).not.to.include('\n');
    return e;
  }
  expect.fail(`loading ${specs.join(', ')} did not fail`);
}

describe('loadPlugins', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry(new EventBus());
  });

  it('loads a path plugin relative to baseDir', async () => {
    await loadPlugins(registry, ['./fixtures/good-plugin.js'], here);
    expect(registry.networkDriver('fixture-net').name).to.equal('fixture-net');
    expect(registry.plugins()).to.deep.include({
      name: 'fixture-good',
      version: '1.2.3',
      source: './fixtures/good-plugin.js',
      registered: { networkDrivers: ['fixture-net'], ipamDrivers: [], portPublishers: [], hooks: [], services: [] },
    });
  });

  it('resolves ../ paths against baseDir, not the working directory', async () => {
    await loadPlugins(registry, ['../fixtures/good-plugin.js'], join(here, 'fixtures'));
    expect(registry.networkDriverNames()).to.deep.equal(['fixture-net']);
  });

  it('loads an absolute path whatever baseDir is', async () => {
    await loadPlugins(registry, [join(here, 'fixtures', 'second-plugin.js')], '/nonexistent');
    expect(registry.ipamDriver('fixture-ipam').name).to.equal('fixture-ipam');
  });

  it('registers plugins in the listed order', async () => {
    await loadPlugins(registry, ['./fixtures/second-plugin.js', './fixtures/good-plugin.js'], here);
    expect(registry.plugins().map((p) => p.name)).to.deep.equal(['fixture-second', 'fixture-good']);
  });

  it('stops at the first bad plugin, keeping the ones before it', async () => {
    const err = await loadFailure(registry, ['./fixtures/good-plugin.js', './fixtures/not-an-object.js', './fixtures/second-plugin.js']);
    expect(err.code).to.equal('PLUGIN_INVALID');
    expect(registry.plugins().map((p) => p.name)).to.deep.equal(['fixture-good']);
  });

  it('a path that does not exist', async () => {
    const err = await loadFailure(registry, ['./fixtures/nope.js']);
    expect(err.code).to.equal('PLUGIN_INVALID');
    expect(err.message).to.match(/^cannot load plugin "\.\/fixtures\/nope\.js": Cannot find module .*nope\.js.*; check the config's "plugins" entry/);
  });

  it('a package that is not installed', async () => {
    const err = await loadFailure(registry, ['@ctrnet/no-such-plugin']);
    expect(err.code).to.equal('PLUGIN_INVALID');
    expect(err.message).to.equal(
      `cannot find plugin package "@ctrnet/no-such-plugin"; install it (npm install @ctrnet/no-such-plugin) or give a path starting with ./ in the config's "plugins"`,
    );
  });

  it('a module that throws while loading: first line of its error only', async () => {
    const err = await loadFailure(registry, ['./fixtures/throws-on-import.js']);
    expect(err.code).to.equal('PLUGIN_INVALID');
    expect(err.message).to.include('cannot load plugin "./fixtures/throws-on-import.js": fixture exploded while loading;');
    expect((err.cause as Error).message).to.include('second line');
  });

  it('a module without a default export', async () => {
    const err = await loadFailure(registry, ['./fixtures/no-default.js']);
    expect(err.message).to.equal(
      'plugin ./fixtures/no-default.js does not default-export a plugin object; export default definePlugin({ name, coreVersion, register })',
    );
  });

  it('a default export that is not an object', async () => {
    const err = await loadFailure(registry, ['./fixtures/not-an-object.js']);
    expect(err.message).to.include('plugin ./fixtures/not-an-object.js does not default-export a plugin object');
  });

  it('a plugin object with missing fields', async () => {
    const err = await loadFailure(registry, ['./fixtures/missing-fields.js']);
    expect(err.message).to.include('plugin ./fixtures/missing-fields.js is missing "name" (a non-empty string), "coreVersion"');
  });

  it('a plugin whose register() throws', async () => {
    const err = await loadFailure(registry, ['./fixtures/register-throws.js']);
    expect(err.message).to.equal('plugin fixture-register-throws (./fixtures/register-throws.js) failed to register: cannot talk to the frobnicator');
  });

  describe('package names', () => {
    let dir: string;
    before(() => {
      // A package installed next to a config file, not next to ctrnet.
      dir = mkdtempSync(join(tmpdir(), 'ctrnet-loader-'));
      const pkg = join(dir, 'node_modules', 'ctrnet-plugin-fixture');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'ctrnet-plugin-fixture', type: 'module', exports: { '.': './index.js' } }));
      writeFileSync(
        join(pkg, 'index.js'),
        `export default { name: 'ctrnet-plugin-fixture', coreVersion: '^0.2.0', register(api) { api.registerPortPublisher({ name: 'fixture-ports' }); } };\n`,
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves a package from baseDir', async () => {
      await loadPlugins(registry, ['ctrnet-plugin-fixture'], dir);
      expect(registry.portPublisherNames()).to.deep.equal(['fixture-ports']);
      expect(registry.plugins()[0]!.source).to.equal('ctrnet-plugin-fixture');
    });

    it('does not find it from another baseDir', async () => {
      const err = await loadFailure(registry, ['ctrnet-plugin-fixture'], here);
      expect(err.message).to.include('cannot find plugin package "ctrnet-plugin-fixture"');
    });
  });

  it('lists the built-in plugins by package name', () => {
    expect(BUILTIN_PLUGINS).to.include.members(['@ctrnet/driver-bridge', '@ctrnet/ipam-default', '@ctrnet/ports-nftables', '@ctrnet/ports-iptables']);
  });
});
