import { definePlugin } from '@ctrnet/core';
import { ContainerDriver } from './container-driver.js';

export { ContainerDriver } from './container-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-container',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  register(api) {
    api.registerNetworkDriver(new ContainerDriver());
  },
});
