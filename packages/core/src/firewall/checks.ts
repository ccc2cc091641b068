/**
 * Checks on everything core hands a port publisher. Publishers splice these
 * values into nft scripts and iptables-restore payloads, so each must be
 * exactly what it claims to be (an id, an address, a port, an interface
 * name) before any publisher sees it. Core checks once, for every backend.
 */
import { invalidArgument } from '../errors.js';
import { isValidIfName } from '../names.js';
import { cidrContains, isValidCidr } from '../net/cidr.js';
import { isValidIpv4 } from '../net/ipv4.js';
import type { LinkRule, NetworkRules, PortBinding, Protocol } from '../types.js';

const HEX_ID = /^[0-9a-f]{12,64}$/;
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

export function checkNetworkRules(network: NetworkRules): void {
  checkId('network', network.networkId);
  const owner = `network ${network.networkId.slice(0, 12)}`;
  checkDevice(owner, network.bridge);
  if (!isValidCidr(network.subnet)) throw invalidArgument(`${owner}: subnet "${network.subnet}" is not an IPv4 network in CIDR notation (like 172.18.0.0/16)`);
  checkIp(owner, 'gateway', network.gateway);
  if (!cidrContains(network.subnet, network.gateway)) throw invalidArgument(`${owner}: gateway ${network.gateway} lies outside subnet ${network.subnet}; pick a gateway inside it`);
  if (network.dnsRedirect !== undefined) checkPort(owner, 'DNS redirect port', network.dnsRedirect);
}

export function checkBinding(binding: PortBinding): void {
  checkId('container', binding.containerId);
  checkId('network', binding.networkId);
  const owner = `port ${binding.hostIp}:${binding.hostPort}/${binding.protocol} of container ${binding.containerId.slice(0, 12)}`;
  checkDevice(owner, binding.bridge);
  checkProtocol(owner, binding.protocol);
  checkIp(owner, 'host IP', binding.hostIp);
  checkPort(owner, 'host port', binding.hostPort);
  checkIp(owner, 'container IP', binding.containerIp);
  checkPort(owner, 'container port', binding.containerPort);
}

export function checkLink(link: LinkRule): void {
  checkId('container', link.containerId);
  const owner = `link of container ${link.containerId.slice(0, 12)} to ${link.targetIp}`;
  checkDevice(owner, link.bridge);
  checkIp(owner, 'source IP', link.sourceIp);
  checkIp(owner, 'target IP', link.targetIp);
  for (const p of link.ports) {
    checkProtocol(owner, p.protocol);
    checkPort(owner, 'port', p.port);
  }
}

function checkId(what: string, id: string): void {
  if (!HEX_ID.test(id)) throw invalidArgument(`${what} id "${id}" is not 12-64 lower-case hex characters; pass the full id`);
}

function checkDevice(owner: string, device: string): void {
  if (!isValidIfName(device)) throw invalidArgument(`${owner}: interface "${device}" is not a valid interface name (1-15 chars of letters, digits, "_", "." and "-")`);
}

function checkIp(owner: string, field: string, ip: string): void {
  if (!isValidIpv4(ip)) throw invalidArgument(`${owner}: ${field} "${ip}" is not an IPv4 address`);
}

function checkPort(owner: string, field: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument(`${owner}: ${field} ${port} is not a port number (1-65535)`);
}

function checkProtocol(owner: string, protocol: string): void {
  if (!PROTOCOLS.includes(protocol as Protocol)) throw invalidArgument(`${owner}: protocol "${protocol}" is not one of ${PROTOCOLS.join(', ')}`);
}
