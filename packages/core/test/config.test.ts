import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILTIN_PLUGINS, CtrnetError, DEFAULT_CONFIG_PATH, DEFAULT_STATE_DIR, loadConfig, readConfigFile } from '../src/index.js';

const VALID_KEYS = 'valid keys: stateDir, plugins, portBackend, daemon, dns, defaultIpamDriver, defaultNetwork, defaultAddressPools, ephemeralPortRange, cluster, netnsPool, docker';

describe('config', () => {
  let dir: string;
  let n = 0;
  /** Write `content` (JSON-encoded unless a string) to a fresh file and return its path. */
  const file = (content: unknown) => {
    const path = join(dir, `config-${n++}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ctrnet-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function configError(content: unknown): CtrnetError {
    const path = file(content);
    try {
      readConfigFile(path);
    } catch (err) {
      expect(err).to.be.instanceOf(CtrnetError);
      const e = err as CtrnetError;
      expect(e.code).to.equal('INVALID_CONFIG');
      expect(e.exitStatus).to.equal(2);
      expect(e.message).not.to.include('\n');
      expect(e.message.startsWith(`invalid config ${path}: `) || e.message.startsWith(`cannot read config ${path}: `)).to.equal(true, e.message);
      return e;
    }
    expect.fail(`config ${JSON.stringify(content)} was accepted`);
  }

  describe('loadConfig', () => {
    it('uses built-in defaults without a config file or environment', function () {
      if (existsSync(DEFAULT_CONFIG_PATH)) this.skip();
      expect(loadConfig({ env: {} })).to.deep.equal({
        source: undefined,
        stateDir: DEFAULT_STATE_DIR,
        plugins: [...BUILTIN_PLUGINS],
        pluginBaseDir: process.cwd(),
        portBackend: 'auto',
        portBackendSource: 'default',
        portBackendsNamed: [],
        daemon: 'auto',
        dns: undefined,
        defaultIpamDriver: 'default',
        defaultNetwork: { driver: 'bridge', subnet: '172.17.0.0/16', gateway: undefined, ipv6: false, subnet6: undefined, gateway6: undefined, options: {} },
        defaultAddressPools: [{ base: '172.17.0.0/12', size: 16 }],
        ephemeralPortRange: [32768, 60999],
        netnsPool: 4,
      });
    });

    it('reads the file named by --config and completes it', () => {
      const path = file({ plugins: ['./mine.js'], defaultNetwork: { subnet: '10.9.0.0/16', gateway: '10.9.0.254' }, ephemeralPortRange: [40000, 40100] });
      const config = loadConfig({ configPath: path, env: {} });
      expect(config.source).to.equal(path);
      expect(config.plugins).to.deep.equal(['./mine.js']);
      expect(config.pluginBaseDir).to.equal(dir);
      expect(config.defaultNetwork).to.deep.equal({ driver: 'bridge', subnet: '10.9.0.0/16', gateway: '10.9.0.254', ipv6: false, subnet6: undefined, gateway6: undefined, options: {} });
      expect(config.ephemeralPortRange).to.deep.equal([40000, 40100]);
      expect(loadConfig({ configPath: file({ netnsPool: 0 }), env: {} }).netnsPool).to.equal(0);
      expect(config.defaultAddressPools).to.deep.equal([{ base: '172.17.0.0/12', size: 16 }]);
    });

    it('takes the config file from CTRNET_CONFIG when --config is absent', () => {
      const path = file({ portBackend: 'nftables' });
      const config = loadConfig({ env: { CTRNET_CONFIG: path } });
      expect(config.source).to.equal(path);
      expect(config.portBackend).to.equal('nftables');
      expect(config.portBackendSource).to.equal(`"portBackend" in ${path}`);
    });

    it('names the port backend of the file even when CTRNET_PORT_BACKEND overrides it, so both are checked', () => {
      const path = file({ portBackend: 'ebpf' });
      const config = loadConfig({ configPath: path, env: { CTRNET_PORT_BACKEND: 'nftables' } });
      expect(config.portBackend).to.equal('nftables');
      expect(config.portBackendsNamed).to.deep.equal([
        { name: 'ebpf', source: `"portBackend" in ${path}` },
        { name: 'nftables', source: '$CTRNET_PORT_BACKEND' },
      ]);
    });

    it('prefers --config over CTRNET_CONFIG', () => {
      const flag = file({ portBackend: 'iptables' });
      const config = loadConfig({ configPath: flag, env: { CTRNET_CONFIG: join(dir, 'missing.json') } });
      expect(config.portBackend).to.equal('iptables');
    });

    it('fails when CTRNET_CONFIG names a missing file', () => {
      const missing = join(dir, 'missing.json');
      expect(() => loadConfig({ env: { CTRNET_CONFIG: missing } }))
        .to.throw(CtrnetError, `cannot read config ${missing}: file not found; pass an existing JSON file to --config`)
        .with.property('code', 'INVALID_CONFIG');
    });

    it('state dir: --state-dir, then CTRNET_STATE_DIR, then the file, then the default', () => {
      const path = file({ stateDir: '/srv/ctrnet-file' });
      expect(loadConfig({ configPath: path, stateDir: '/srv/flag', env: { CTRNET_STATE_DIR: '/srv/env' } }).stateDir).to.equal('/srv/flag');
      expect(loadConfig({ configPath: path, env: { CTRNET_STATE_DIR: '/srv/env' } }).stateDir).to.equal('/srv/env');
      expect(loadConfig({ configPath: path, env: {} }).stateDir).to.equal('/srv/ctrnet-file');
      expect(loadConfig({ configPath: file({}), env: {} }).stateDir).to.equal(DEFAULT_STATE_DIR);
    });

    it('resolves a relative stateDir in the file against the file, flags and env against the cwd', () => {
      const path = file({ stateDir: 'state' });
      expect(loadConfig({ configPath: path, env: {} }).stateDir).to.equal(join(dir, 'state'));
      expect(loadConfig({ configPath: path, env: { CTRNET_STATE_DIR: 'rel' } }).stateDir).to.equal(resolve('rel'));
      expect(loadConfig({ configPath: path, stateDir: 'flag' }).stateDir).to.equal(resolve('flag'));
    });

    it('treats empty environment variables as unset', function () {
      if (existsSync(DEFAULT_CONFIG_PATH)) this.skip();
      const config = loadConfig({ env: { CTRNET_STATE_DIR: '', CTRNET_CONFIG: '', CTRNET_PORT_BACKEND: '' } });
      expect(config.stateDir).to.equal(DEFAULT_STATE_DIR);
      expect(config.source).to.equal(undefined);
      expect(config.portBackend).to.equal('auto');
    });

    it('CTRNET_PORT_BACKEND overrides the file and says so', () => {
      const path = file({ portBackend: 'nftables' });
      const config = loadConfig({ configPath: path, env: { CTRNET_PORT_BACKEND: 'iptables' } });
      expect(config.portBackend).to.equal('iptables');
      expect(config.portBackendSource).to.equal('$CTRNET_PORT_BACKEND');
    });
  });

  describe('readConfigFile', () => {
    it('accepts the example of cli.md', () => {
      const example = {
        stateDir: '/var/lib/ctrnet',
        plugins: ['@ctrnet/driver-bridge', './plugins-local/my-driver'],
        portBackend: 'auto',
        defaultNetwork: { subnet: '172.17.0.0/16', options: { bridge_name: 'ctrnet0' } },
        defaultAddressPools: [{ base: '172.17.0.0/12', size: 16 }],
        ephemeralPortRange: [32768, 60999],
      };
      expect(readConfigFile(file(example))).to.deep.equal(example);
    });

    it('accepts an empty object', () => {
      expect(readConfigFile(file({}))).to.deep.equal({});
    });

    describe('names the unknown key', () => {
      for (const [content, key] of [
        [{ statedir: '/x' }, 'statedir'],
        [{ defaultNetwork: { subnet: '10.0.0.0/8', mtu: 1400 } }, 'defaultNetwork.mtu'],
        [{ defaultAddressPools: [{ base: '10.0.0.0/8', size: 16, extra: true }] }, 'defaultAddressPools.0.extra'],
      ] as const) {
        it(key, () => {
          expect(configError(content).message).to.include(`: unknown key "${key}"; ${VALID_KEYS}`);
        });
      }
    });

    describe('names the key and the expected type of a wrong value', () => {
      for (const [content, key, expected] of [
        [{ stateDir: 5 }, 'stateDir', 'expected string, received number'],
        [{ stateDir: '' }, 'stateDir', 'expected string to have >=1 characters'],
        [{ plugins: '@ctrnet/driver-bridge' }, 'plugins', 'expected array, received string'],
        [{ plugins: [1] }, 'plugins.0', 'expected string, received number'],
        [{ portBackend: false }, 'portBackend', 'expected string, received boolean'],
        [{ defaultNetwork: 'bridge' }, 'defaultNetwork', 'expected object, received string'],
        [{ defaultNetwork: { options: { mtu: 1500 } } }, 'defaultNetwork.options.mtu', 'expected string, received number'],
        [{ defaultAddressPools: [] }, 'defaultAddressPools', 'expected array to have >=1 items'],
        [{ defaultAddressPools: [{ base: '10.0.0.0/8', size: 31 }] }, 'defaultAddressPools.0.size', 'expected number to be <=30'],
        [{ defaultAddressPools: [{ base: '10.0.0.0/8', size: 16.5 }] }, 'defaultAddressPools.0.size', 'expected int'],
        [{ ephemeralPortRange: '32768-60999' }, 'ephemeralPortRange', 'expected tuple, received string'],
        [{ ephemeralPortRange: [0, 100] }, 'ephemeralPortRange.0', 'expected number to be >=1'],
        [{ ephemeralPortRange: [1000, 70000] }, 'ephemeralPortRange.1', 'expected number to be <=65535'],
        [{ ephemeralPortRange: [1000] }, 'ephemeralPortRange', 'expected array to have >=2 items'],
        [{ netnsPool: 65 }, 'netnsPool', 'expected number to be <=64'],
        [{ netnsPool: 1.5 }, 'netnsPool', 'expected int, received number'],
        [{ cluster: { etcd: ['10.0.0.1:2379'], hostName: 'a', advertiseAddress: '10.0.0.2' } }, 'cluster.etcd.0', 'expected an etcd client URL'],
        [{ cluster: { etcd: ['http://10.0.0.1:2379'], hostName: 'Host A', advertiseAddress: '10.0.0.2' } }, 'cluster.hostName', 'expected a lower-case DNS label'],
        [{ cluster: { etcd: ['http://10.0.0.1:2379'], hostName: 'a', advertiseAddress: 'lan' } }, 'cluster.advertiseAddress', 'expected this host'],
        [{ cluster: { etcd: ['http://10.0.0.1:2379'], hostName: 'a', advertiseAddress: '10.0.0.2', leaseTtlSeconds: 1 } }, 'cluster.leaseTtlSeconds', 'expected number to be >=2'],
        [[], '(top level)', 'expected object, received array'],
        [null, '(top level)', 'expected object, received null'],
      ] as const) {
        it(`${key}: ${expected}`, () => {
          const message = configError(content).message;
          expect(message).to.include(`: key "${key}": `);
          expect(message).to.include(expected);
          expect(message).to.include(VALID_KEYS);
        });
      }
    });

    describe('refuses an invalid CIDR', () => {
      for (const [content, key] of [
        [{ defaultNetwork: { subnet: '172.17.0.0' } }, 'defaultNetwork.subnet'],
        [{ defaultNetwork: { subnet: '172.17.0.0/33' } }, 'defaultNetwork.subnet'],
        [{ defaultNetwork: { subnet: '300.17.0.0/16' } }, 'defaultNetwork.subnet'],
        [{ defaultNetwork: { subnet: 'fd00::/64' } }, 'defaultNetwork.subnet'],
      ] as const) {
        it(JSON.stringify(content), () => {
          expect(configError(content).message).to.include(`key "${key}": expected an IPv4 CIDR such as 172.17.0.0/16;`);
        });
      }
      it('a pool base of neither family', () => {
        expect(configError({ defaultAddressPools: [{ base: '10.0.0.0/8/8', size: 16 }] }).message).to.include('key "defaultAddressPools.0.base": expected a CIDR such as 172.17.0.0/12 or fd00:0:0:1::/56;');
      });
    });

    describe('IPv6', () => {
      it('accepts IPv6 on the default network and IPv6 pools of /48 to /120', () => {
        const content = {
          defaultNetwork: { ipv6: true, subnet6: 'fd00:17::/64', gateway6: 'fd00:17::fe' },
          defaultAddressPools: [{ base: '172.17.0.0/12', size: 16 }, { base: 'fd00:1::/48', size: 64 }, { base: 'fd00:2::/64', size: 120 }],
        };
        const config = loadConfig({ configPath: file(content), env: {} });
        expect(config.defaultNetwork).to.include({ ipv6: true, subnet6: 'fd00:17::/64', gateway6: 'fd00:17::fe' });
        expect(config.defaultAddressPools).to.deep.equal(content.defaultAddressPools);
      });

      for (const [content, key, expected] of [
        [{ defaultAddressPools: [{ base: 'fd00::/32', size: 64 }] }, 'defaultAddressPools.0.base', 'expected an IPv6 base of /48 or longer'],
        [{ defaultAddressPools: [{ base: 'fd00::/48', size: 121 }] }, 'defaultAddressPools.0.size', 'expected number to be <=120'],
        [{ defaultAddressPools: [{ base: 'fd00::/48', size: 40 }] }, 'defaultAddressPools.0.size', 'expected number to be >=48'],
        [{ defaultAddressPools: [{ base: 'fd00::/64', size: 56 }] }, 'defaultAddressPools.0.size', 'expected a prefix length at least that of "base"'],
        [{ defaultNetwork: { ipv6: true, subnet6: 'fd00::/129' } }, 'defaultNetwork.subnet6', 'expected an IPv6 CIDR such as fd00:1::/64'],
        [{ defaultNetwork: { ipv6: true, subnet6: '10.0.0.0/8' } }, 'defaultNetwork.subnet6', 'expected an IPv6 CIDR'],
        [{ defaultNetwork: { subnet6: 'fd00::/64' } }, 'defaultNetwork.ipv6', 'expected true when subnet6 or gateway6 is set'],
        [{ defaultNetwork: { ipv6: true, subnet6: 'fd00::/64', gateway6: 'fd01::1' } }, 'defaultNetwork.gateway6', 'expected an IPv6 address inside defaultNetwork.subnet6'],
        [{ defaultNetwork: { ipv6: true, gateway6: 'fd01::1' } }, 'defaultNetwork.gateway6', 'expected an IPv6 address inside defaultNetwork.subnet6'],
      ] as const) {
        it(`refuses ${JSON.stringify(content)}`, () => {
          const message = configError(content).message;
          expect(message).to.include(`key "${key}": ${expected}`);
        });
      }
    });

    it('refuses an ephemeralPortRange whose low end is above its high end', () => {
      expect(configError({ ephemeralPortRange: [61000, 32768] }).message).to.include('key "ephemeralPortRange": expected [low, high] with low <= high;');
    });

    it('accepts a one-port ephemeralPortRange', () => {
      expect(readConfigFile(file({ ephemeralPortRange: [40000, 40000] })).ephemeralPortRange).to.deep.equal([40000, 40000]);
    });

    it('refuses a file that is not JSON, in one line', () => {
      const message = configError('{\n  "stateDir": "/x",\n}\n').message;
      expect(message).to.match(/^cannot read config .*: .*JSON.*; pass an existing JSON file to --config$/);
    });

    it('refuses a missing file', () => {
      const missing = join(dir, 'nope.json');
      expect(() => readConfigFile(missing)).to.throw(CtrnetError, `cannot read config ${missing}: file not found`);
    });
  });
});
