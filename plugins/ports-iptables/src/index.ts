import { definePlugin } from '@ctrnet/core';
import { IptablesPublisher } from './publisher.js';

export { IptablesPublisher, type IptablesPublisherOptions } from './publisher.js';
export type { IptablesVariant } from './tools.js';

export default definePlugin({
  name: '@ctrnet/ports-iptables',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerPortPublisher(new IptablesPublisher());
  },
});
