import type { IpamDriver, PluginApi } from '@ctrnet/core';
import { expect } from 'chai';
import plugin, { DefaultIpam } from '../src/index.js';

describe('@ctrnet/ipam-default plugin', () => {
  it('registers the default IPAM driver and nothing else', async () => {
    const registered: IpamDriver[] = [];
    const refuse = () => expect.fail('registered something other than an IPAM driver');
    const api = { registerIpamDriver: (d: IpamDriver) => registered.push(d), registerNetworkDriver: refuse, registerPortPublisher: refuse };
    await plugin.register(api as unknown as PluginApi);
    expect(registered).to.have.length(1);
    expect(registered[0]).to.be.instanceOf(DefaultIpam);
    expect(registered[0]!.name).to.equal('default');
  });

  it('declares its package name and the core API range it was written for', () => {
    expect(plugin).to.include({ name: '@ctrnet/ipam-default', coreVersion: '^0.2.0' });
  });
});
