import { definePlugin } from '@ctrnet/core';
import { hostSession } from '@ctrnet/ipam-etcd';
import { OverlayDriver } from './overlay-driver.js';
import { OverlayWatcher } from './watcher.js';

export { OverlayDriver, OVERLAY } from './overlay-driver.js';
export { VXLAN_PORT, VXLAN_OVERHEAD } from './names.js';

export default definePlugin({
  name: '@ctrnet/driver-overlay',
  coreVersion: '^0.2.0',
  // Its networks take addresses from the etcd IPAM, and it shares that plugin's host session.
  dependencies: ['@ctrnet/ipam-etcd'],
  register(api) {
    const { cluster, stateDir } = api.settings;
    const driver = new OverlayDriver(api.settings);
    api.registerNetworkDriver(driver);
    api.registerService(new OverlayWatcher(driver, () => (cluster ? hostSession(cluster, stateDir) : undefined)));
  },
});
