import { definePlugin } from '@ctrnet/core';
import { NoneDriver } from './none-driver.js';

export { NoneDriver } from './none-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-none',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  register(api) {
    api.registerNetworkDriver(new NoneDriver());
  },
});
