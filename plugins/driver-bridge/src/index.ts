import { definePlugin } from '@ctrnet/core';
import { BridgeDriver } from './bridge-driver.js';

export { BridgeDriver } from './bridge-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-bridge',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerNetworkDriver(new BridgeDriver());
  },
});
