/** The default IPAM driver against the conformance kit third-party IPAM drivers use. */
import { describeIpamDriver } from '@ctrnet/testkit';
import plugin, { DefaultIpam } from '../src/index.js';

describeIpamDriver('@ctrnet/ipam-default', () => new DefaultIpam(), { plugin });
