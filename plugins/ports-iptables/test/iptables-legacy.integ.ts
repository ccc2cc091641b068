import { describeIptablesPublisher } from './iptables-suite.js';

describeIptablesPublisher('legacy');
