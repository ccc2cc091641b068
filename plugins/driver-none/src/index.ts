import { definePlugin } from '@ctrnet/core';
import { NoneDriver } from './none-driver.js';

export { NoneDriver } from './none-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-none',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerNetworkDriver(new NoneDriver());
  },
});
