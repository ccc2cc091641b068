import { describePortPublisher } from '@ctrnet/testkit';
import plugin, { IptablesPublisher } from '../src/index.js';

describePortPublisher('@ctrnet/ports-iptables', () => new IptablesPublisher(), {
  plugin,
  listRules: async (host) => (await host.exec(['iptables-save'])).stdout + (await host.exec(['ip6tables-save'])).stdout,
});
