import { describeIptablesPublisher } from './iptables-suite.js';

// The machine's default iptables: iptables-nft on this distribution.
describeIptablesPublisher('default');
