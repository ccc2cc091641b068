import { definePlugin } from '@ctrnet/core';
import { ContainerDriver } from './container-driver.js';

export { ContainerDriver } from './container-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-container',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerNetworkDriver(new ContainerDriver());
  },
});
