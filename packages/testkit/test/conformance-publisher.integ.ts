/** describePortPublisher proven against a publisher that is none of the built-ins. */
import { describePortPublisher } from '../src/index.js';
import plugin, { TinyPublisher } from './fixtures/tiny-publisher.js';

describePortPublisher('tiny nft publisher (test fixture)', () => new TinyPublisher(), {
  plugin,
  listRules: async (host) => (await host.exec(['nft', 'list', 'ruleset'])).stdout,
});
