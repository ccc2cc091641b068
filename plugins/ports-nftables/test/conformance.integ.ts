import { describePortPublisher } from '@ctrnet/testkit';
import plugin, { NftablesPublisher } from '../src/index.js';

describePortPublisher('@ctrnet/ports-nftables', () => new NftablesPublisher(), {
  plugin,
  listRules: async (host) => (await host.exec(['nft', 'list', 'ruleset'])).stdout,
});
