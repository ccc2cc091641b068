/** The container driver against the conformance kit third-party drivers use. */
import { describeNetworkDriver } from '@ctrnet/testkit';
import plugin, { ContainerDriver } from '../src/index.js';

describeNetworkDriver('@ctrnet/driver-container', () => new ContainerDriver(), {
  plugin,
  // The container driver takes no options at all.
  invalidOptions: [{ mtu: '1500' }],
});
