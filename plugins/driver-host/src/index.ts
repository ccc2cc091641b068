import { definePlugin } from '@ctrnet/core';
import { HostDriver } from './host-driver.js';

export { HostDriver } from './host-driver.js';

export default definePlugin({
  name: '@ctrnet/driver-host',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  register(api) {
    api.registerNetworkDriver(new HostDriver());
  },
});
