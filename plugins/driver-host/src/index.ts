import { definePlugin } from '@ctrnet/core';
import { HostDriver } from './host-driver.js';

export { HostDriver } from './host-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-host',
  coreVersion: '^0.2.0',
  register(api) {
    api.registerNetworkDriver(new HostDriver());
  },
});
