/**
 * Input checks. Every value that ends up in a payload is checked here first,
 * so a payload can never carry whitespace, quotes or an option the kernel
 * would read differently, and a bad value is reported by name before any
 * rule is touched.
 */
import { invalidArgument, isValidCidr, isValidIfName, isValidIpv4, type LinkRule, type NetworkRules, type PortBinding, type Protocol } from '@ctrnet/core';

const HEX_ID = /^[0-9a-f]{12,64}$/;
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

function checkId(what: string, id: string): void {
  if (!HEX_ID.test(id)) throw invalidArgument(`${what} id "${id}" is not 12-64 lower-case hex characters; pass the full id`);
}

function checkBridge(owner: string, bridge: string): void {
  if (!isValidIfName(bridge)) throw invalidArgument(`${owner}: bridge "${bridge}" is not a valid interface name (1-15 chars of letters, digits, "_", "." and "-")`);
}

function checkIp(owner: string, field: string, ip: string): void {
  if (!isValidIpv4(ip)) {
    const hint = ip.includes(':') ? '; the iptables port backend handles IPv4 only' : '';
    throw invalidArgument(`${owner}: ${field} "${ip}" is not an IPv4 address${hint}`);
  }
}

function checkPort(owner: string, field: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument(`${owner}: ${field} ${port} is not a port number (1-65535)`);
}

function checkProtocol(owner: string, protocol: string): void {
  if (!PROTOCOLS.includes(protocol as Protocol)) throw invalidArgument(`${owner}: protocol "${protocol}" is not one of ${PROTOCOLS.join(', ')}`);
}

export function checkNetwork(network: NetworkRules): void {
  checkId('network', network.networkId);
  const owner = `network ${network.networkId.slice(0, 12)}`;
  checkBridge(owner, network.bridge);
  if (!isValidCidr(network.subnet)) throw invalidArgument(`${owner}: subnet "${network.subnet}" is not an IPv4 network in CIDR notation (like 172.18.0.0/16)`);
  checkIp(owner, 'gateway', network.gateway);
}

export function checkBinding(binding: PortBinding): void {
  checkId('container', binding.containerId);
  checkId('network', binding.networkId);
  const owner = `port ${binding.hostIp}:${binding.hostPort}/${binding.protocol} of container ${binding.containerId.slice(0, 12)}`;
  checkBridge(owner, binding.bridge);
  checkProtocol(owner, binding.protocol);
  checkIp(owner, 'host IP', binding.hostIp);
  checkPort(owner, 'host port', binding.hostPort);
  checkIp(owner, 'container IP', binding.containerIp);
  checkPort(owner, 'container port', binding.containerPort);
}

export function checkLink(link: LinkRule): void {
  checkId('container', link.containerId);
  const owner = `link of container ${link.containerId.slice(0, 12)} to ${link.targetIp}`;
  checkBridge(owner, link.bridge);
  checkIp(owner, 'source IP', link.sourceIp);
  checkIp(owner, 'target IP', link.targetIp);
  for (const p of link.ports) {
    checkProtocol(owner, p.protocol);
    checkPort(owner, 'port', p.port);
  }
}
