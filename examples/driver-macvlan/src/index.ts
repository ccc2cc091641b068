/**
 * ctrnet-driver-macvlan: a network driver written against @ctrnet/core's
 * public API only, the way any third-party plugin is. Load it by path or
 * package name from the config's "plugins".
 */
import { definePlugin } from '@ctrnet/core';
import { MacvlanDriver } from './macvlan-driver.js';

export { MacvlanDriver } from './macvlan-driver.js';

export default definePlugin({
  name: 'ctrnet-driver-macvlan',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerNetworkDriver(new MacvlanDriver());
  },
});
