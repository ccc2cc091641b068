import { definePlugin } from '@ctrnet/core';
import { CniDriver } from './cni-driver.js';

export { CniDriver } from './cni-driver.js';

/** The `cni` network driver: a ctrnet network that runs a CNI plugin list. */
export default definePlugin({
  name: '@ctrnet/driver-cni',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerNetworkDriver(new CniDriver());
  },
});
