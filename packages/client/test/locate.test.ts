import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateDaemon } from '../src/locate.js';

describe('locateDaemon', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ctrnet-locate-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the socket inside a non-default state dir, so two installations never meet', () => {
    const where = locateDaemon({ stateDir: join(dir, 's'), env: {} });
    expect(where.socketPath).to.equal(join(dir, 's', 'ctrnetd.sock'));
    expect(where.mode).to.equal('auto');
  });

  it('uses the well-known socket for the default state dir', () => {
    expect(locateDaemon({ stateDir: '/var/lib/ctrnet', env: {} }).socketPath).to.equal('/run/ctrnet/ctrnet.sock');
  });

  it('reads stateDir and daemon from the config file, relative to the file', () => {
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ stateDir: 'state', daemon: 'required' }));
    const where = locateDaemon({ configPath: config, env: {} });
    expect(where.stateDir).to.equal(join(dir, 'state'));
    expect(where.mode).to.equal('required');
    expect(where.modeSource).to.equal(`"daemon" in ${config}`);
  });

  it('lets $CTRNET_DAEMON override the file', () => {
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ daemon: 'required' }));
    expect(locateDaemon({ configPath: config, env: { CTRNET_DAEMON: 'never' } })).to.include({ mode: 'never', modeSource: '$CTRNET_DAEMON' });
  });

  it('runs in-process for a value it does not know, where the config loader reports it', () => {
    expect(locateDaemon({ stateDir: dir, env: { CTRNET_DAEMON: 'sometimes' } }).mode).to.equal('never');
  });

  it('counts a config that does not parse as empty (the runtime reports it)', () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, '{ not json');
    expect(locateDaemon({ configPath: config, stateDir: dir, env: {} }).mode).to.equal('auto');
  });

  it('changes the fingerprint when the config file or the port backend override changes', () => {
    const config = join(dir, 'c.json');
    writeFileSync(config, '{}');
    const a = locateDaemon({ configPath: config, env: {} }).fingerprint;
    expect(locateDaemon({ configPath: config, env: { CTRNET_PORT_BACKEND: 'iptables' } }).fingerprint).not.to.equal(a);
    writeFileSync(config, '{"daemon":"auto"}');
    expect(locateDaemon({ configPath: config, env: {} }).fingerprint).not.to.equal(a);
  });
});
