import { expect } from 'chai';
import type { PluginApi, PortPublisher } from '@ctrnet/core';
import plugin, { NftablesPublisher } from '../src/index.js';

describe('plugin', () => {
  it('declares its name and core range', () => {
    expect(plugin.name).to.equal('@ctrnet/ports-nftables');
    expect(plugin.version, 'the version comes from package.json').to.equal(undefined);
    expect(plugin.coreVersion).to.equal('^0.2.0');
  });

  it('registers the nftables port publisher through the public API', async () => {
    const registered: PortPublisher[] = [];
    const api = { registerPortPublisher: (p: PortPublisher) => registered.push(p) } as unknown as PluginApi;
    await plugin.register(api);
    expect(registered).to.have.length(1);
    expect(registered[0]).to.be.instanceOf(NftablesPublisher);
    expect(registered[0]!.name).to.equal('nftables');
  });
});
