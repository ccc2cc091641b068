/** The none driver against the conformance kit third-party drivers use. */
import { describeNetworkDriver } from '@ctrnet/testkit';
import plugin, { NoneDriver } from '../src/index.js';

describeNetworkDriver('@ctrnet/driver-none', () => new NoneDriver(), {
  plugin,
  // The none driver takes no options at all.
  invalidOptions: [{ mtu: '1500' }],
});
