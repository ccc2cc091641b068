import { expect } from 'chai';
import { CtrnetError, type LinkRule, type NetworkRules, type PortBinding } from '@ctrnet/core';
import { validateBinding, validateLink, validateNetwork } from '../src/validate.js';

const NET: NetworkRules = { networkId: 'n1', bridge: 'br0', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false, icc: true, masquerade: true };
const PORT: PortBinding = { containerId: 'c1', networkId: 'n1', bridge: 'br0', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 };
const LINK: LinkRule = { containerId: 'c2', bridge: 'br0', sourceIp: '10.1.0.3', targetIp: '10.1.0.2', ports: [{ port: 80, protocol: 'tcp' }] };

function refused(fn: () => void, message: string): void {
  expect(fn).to.throw(CtrnetError, message).with.property('code', 'INVALID_ARGUMENT');
}

describe('validate', () => {
  it('accepts well-formed input', () => {
    validateNetwork(NET);
    validateBinding(PORT);
    validateLink(LINK);
  });

  it('refuses anything that could smuggle nft syntax into a script', () => {
    refused(() => validateNetwork({ ...NET, bridge: 'br0" }; flush ruleset; #' }), 'bridge "br0" }; flush ruleset; #" is not a valid interface name');
    refused(() => validateBinding({ ...PORT, hostIp: '0.0.0.0 } ; delete table inet ctrnet' }), 'is not an IPv4 address');
    refused(() => validateBinding({ ...PORT, protocol: 'tcp; drop' as 'tcp' }), 'protocol "tcp; drop" is not one of tcp, udp, sctp');
    refused(() => validateLink({ ...LINK, targetIp: '10.1.0.2 . tcp' }), 'target address "10.1.0.2 . tcp" is not an IPv4 address');
  });

  it('refuses IPv6 host addresses for now, saying so', () => {
    refused(() => validateBinding({ ...PORT, hostIp: '::' }), 'the nftables backend publishes IPv4 only so far');
  });

  it('refuses ports outside 1-65535', () => {
    refused(() => validateBinding({ ...PORT, hostPort: 0 }), 'host port 0 is not a port number (1-65535)');
    refused(() => validateBinding({ ...PORT, containerPort: 65536 }), 'container port 65536');
    refused(() => validateBinding({ ...PORT, hostPort: 80.5 }), 'host port 80.5');
    refused(() => validateLink({ ...LINK, ports: [{ port: -1, protocol: 'udp' }] }), 'port -1');
  });

  it('refuses a subnet that is not IPv4 CIDR, and a gateway outside it', () => {
    refused(() => validateNetwork({ ...NET, subnet: 'fd00::/64' }), 'subnet "fd00::/64" is not an IPv4 network in CIDR notation');
    refused(() => validateNetwork({ ...NET, subnet: '10.1.0.0/33' }), 'subnet "10.1.0.0/33"');
    refused(() => validateNetwork({ ...NET, gateway: '10.2.0.1' }), 'gateway 10.2.0.1 lies outside subnet 10.1.0.0/24');
  });
});
