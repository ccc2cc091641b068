import { definePlugin } from '@ctrnet/core';
import { BridgeDriver } from './bridge-driver.js';

export { BridgeDriver } from './bridge-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-bridge',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  register(api) {
    api.registerNetworkDriver(new BridgeDriver());
  },
});
