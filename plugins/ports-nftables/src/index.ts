import { definePlugin } from '@ctrnet/core';
import { NftablesPublisher } from './publisher.js';

export { NftablesPublisher } from './publisher.js';
export { USER_CHAIN } from './layout.js';

/** Registers the `nftables` port publisher. */
export default definePlugin({
  name: '@ctrnet/ports-nftables',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  register(api) {
    api.registerPortPublisher(new NftablesPublisher());
  },
});
