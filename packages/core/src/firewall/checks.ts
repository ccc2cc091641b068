/**
 * Checks on everything core hands a port publisher. Publishers splice these
 * values into nft scripts and iptables-restore payloads, so each must be
 * exactly what it claims to be (an id, an address of the right family, a
 * port, an interface name) before any publisher sees it. IPv6 values must
 * also be canonical (RFC 5952): publishers compare them as strings with
 * what the kernel prints. Core checks once, for every backend.
 */
import { GATEWAY_MODES } from '../driver.js';
import { invalidArgument } from '../errors.js';
import { isValidIfName } from '../names.js';
import { cidrContains, isValidCidr } from '../net/cidr.js';
import { isValidCidr6, networkOf6 } from '../net/cidr6.js';
import { isValidIpv4 } from '../net/ipv4.js';
import { canonicalIpv6, isValidIpv6 } from '../net/ipv6.js';
import type { GatewayMode, LinkRule, NetworkRules, PortBinding, Protocol } from '../types.js';

const HEX_ID = /^[0-9a-f]{12,64}$/;
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

export function checkNetworkRules(network: NetworkRules): void {
  checkId('network', network.networkId);
  const owner = `network ${network.networkId.slice(0, 12)}`;
  checkDevice(owner, network.bridge);
  if (network.subnet === undefined && network.subnet6 === undefined) throw invalidArgument(`${owner}: has neither an IPv4 nor an IPv6 subnet; give it at least one`);
  if (network.subnet !== undefined) {
    if (!isValidCidr(network.subnet)) throw invalidArgument(`${owner}: subnet "${network.subnet}" is not an IPv4 network in CIDR notation (like 172.18.0.0/16)`);
    checkGateway(owner, network.subnet, network.gateway, network.gatewayMode, 4);
  } else if (network.gateway !== undefined || network.gatewayMode !== undefined) {
    throw invalidArgument(`${owner}: has an IPv4 gateway or gateway mode but no IPv4 subnet`);
  }
  if (network.subnet6 !== undefined) {
    if (!isValidCidr6(network.subnet6) || networkOf6(network.subnet6) !== network.subnet6) {
      throw invalidArgument(`${owner}: subnet6 "${network.subnet6}" is not a canonical IPv6 network in CIDR notation (like fd00:1::/64)`);
    }
    checkGateway(owner, network.subnet6, network.gateway6, network.gatewayMode6, 6);
  } else if (network.gateway6 !== undefined || network.gatewayMode6 !== undefined) {
    throw invalidArgument(`${owner}: has an IPv6 gateway or gateway mode but no IPv6 subnet`);
  }
  if (network.dnsRedirect !== undefined) {
    if (network.gateway === undefined) throw invalidArgument(`${owner}: has a DNS redirect but no IPv4 gateway to redirect from`);
    checkPort(owner, 'DNS redirect port', network.dnsRedirect);
  }
}

export function checkBinding(binding: PortBinding): void {
  checkId('container', binding.containerId);
  checkId('network', binding.networkId);
  const owner = `port ${binding.hostIp}:${binding.hostPort}/${binding.protocol} of container ${binding.containerId.slice(0, 12)}`;
  checkDevice(owner, binding.bridge);
  checkProtocol(owner, binding.protocol);
  const family = checkIp(owner, 'container IP', binding.containerIp);
  checkIp(owner, 'host IP', binding.hostIp, family);
  checkPort(owner, 'host port', binding.hostPort);
  checkPort(owner, 'container port', binding.containerPort);
  if (binding.routed && (binding.hostIp !== binding.containerIp || binding.hostPort !== binding.containerPort)) {
    throw invalidArgument(`${owner}: a routed port is keyed by the container's own address and port (${binding.containerIp}:${binding.containerPort})`);
  }
}

export function checkLink(link: LinkRule): void {
  checkId('container', link.containerId);
  const owner = `link of container ${link.containerId.slice(0, 12)} to ${link.targetIp}`;
  checkDevice(owner, link.bridge);
  const family = checkIp(owner, 'source IP', link.sourceIp);
  checkIp(owner, 'target IP', link.targetIp, family);
  for (const p of link.ports) {
    checkProtocol(owner, p.protocol);
    checkPort(owner, 'port', p.port);
  }
}

function checkGateway(owner: string, subnet: string, gateway: string | undefined, mode: GatewayMode | undefined, family: 4 | 6): void {
  const v = family === 6 ? 'IPv6 ' : '';
  if (mode !== undefined && !GATEWAY_MODES.includes(mode)) throw invalidArgument(`${owner}: ${v}gateway mode "${mode}" is not one of ${GATEWAY_MODES.join(', ')}`);
  if (gateway === undefined) {
    if (mode !== 'isolated') throw invalidArgument(`${owner}: no ${v}gateway; only gateway mode isolated has none`);
    return;
  }
  checkIp(owner, `${v}gateway`, gateway, family);
  if (!cidrContains(subnet, gateway)) throw invalidArgument(`${owner}: ${v}gateway ${gateway} lies outside subnet ${subnet}; pick a gateway inside it`);
}

function checkId(what: string, id: string): void {
  if (!HEX_ID.test(id)) throw invalidArgument(`${what} id "${id}" is not 12-64 lower-case hex characters; pass the full id`);
}

function checkDevice(owner: string, device: string): void {
  if (!isValidIfName(device)) throw invalidArgument(`${owner}: interface "${device}" is not a valid interface name (1-15 chars of letters, digits, "_", "." and "-")`);
}

/** An IPv4 or canonical IPv6 address, of `family` when given; returns its family. */
function checkIp(owner: string, field: string, ip: string, family?: 4 | 6): 4 | 6 {
  const found = isValidIpv4(ip) ? 4 : isValidIpv6(ip) && canonicalIpv6(ip) === ip ? 6 : undefined;
  if (found === undefined) throw invalidArgument(`${owner}: ${field} "${ip}" is not an IPv4 or canonical IPv6 address`);
  if (family !== undefined && found !== family) throw invalidArgument(`${owner}: ${field} ${ip} is an IPv${found} address, the other side is IPv${family}; use one family`);
  return found;
}

function checkPort(owner: string, field: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument(`${owner}: ${field} ${port} is not a port number (1-65535)`);
}

function checkProtocol(owner: string, protocol: string): void {
  if (!PROTOCOLS.includes(protocol as Protocol)) throw invalidArgument(`${owner}: protocol "${protocol}" is not one of ${PROTOCOLS.join(', ')}`);
}
