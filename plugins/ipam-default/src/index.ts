import { definePlugin } from '@ctrnet/core';
import { DefaultIpam } from './default-ipam.js';

export { DefaultIpam } from './default-ipam.js';

/** The built-in `default` IPAM driver, registered through the public plugin API. */
export default definePlugin({
  name: '@ctrnet/ipam-default',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerIpamDriver(new DefaultIpam());
  },
});
