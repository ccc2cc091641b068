/** The bridge driver against the conformance kit third-party drivers use. */
import { describeNetworkDriver } from '@ctrnet/testkit';
import plugin, { BridgeDriver } from '../src/index.js';

describeNetworkDriver('@ctrnet/driver-bridge', () => new BridgeDriver(), {
  plugin,
  invalidOptions: [
    { mtu: '12' },
    { icc: 'maybe' },
    { bridge_name: 'no/slash' },
    { icc: 'true', 'com.docker.network.bridge.enable_icc': 'false' },
    { 'no-such-option': '1' },
  ],
});
