import { definePlugin } from '@ctrnet/core';
import { NftablesPublisher } from './publisher.js';

export { NftablesPublisher } from './publisher.js';
export { USER_CHAIN } from './layout.js';

/** Registers the `nftables` port publisher. */
export default definePlugin({
  name: '@ctrnet/ports-nftables',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerPortPublisher(new NftablesPublisher());
  },
});
