/** The host driver against the conformance kit third-party drivers use. */
import { describeNetworkDriver } from '@ctrnet/testkit';
import plugin, { HostDriver } from '../src/index.js';

describeNetworkDriver('@ctrnet/driver-host', () => new HostDriver(), {
  plugin,
  // The host driver takes no options at all.
  invalidOptions: [{ mtu: '1500' }],
});
