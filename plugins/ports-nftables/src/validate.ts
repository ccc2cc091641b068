/**
 * Checks on everything that ends up inside an nft script. Values are spliced
 * into nft syntax, so each must be exactly what it claims to be (an
 * address, a port, an interface name) before any script is built.
 */
import { cidrContains, invalidArgument, isValidCidr, isValidIfName, isValidIpv4, type ExposedPort, type LinkRule, type NetworkRules, type PortBinding } from '@ctrnet/core';

const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'sctp']);

export function validateNetwork(network: NetworkRules): void {
  const what = `network ${network.networkId}`;
  checkIfname(network.bridge, what);
  if (!isValidCidr(network.subnet)) {
    throw invalidArgument(`${what}: subnet "${network.subnet}" is not an IPv4 network in CIDR notation (e.g. 172.18.0.0/16); the nftables backend handles IPv4 subnets`);
  }
  checkIpv4(network.gateway, `${what}: gateway`);
  if (!cidrContains(network.subnet, network.gateway)) {
    throw invalidArgument(`${what}: gateway ${network.gateway} lies outside subnet ${network.subnet}; pick a gateway inside it`);
  }
}

export function validateBinding(binding: PortBinding): void {
  const what = `port binding ${binding.hostIp}:${binding.hostPort}->${binding.containerPort}/${binding.protocol} of container ${binding.containerId}`;
  checkProtocol(binding.protocol, what);
  checkIpv4(binding.hostIp, `${what}: host address`);
  checkIpv4(binding.containerIp, `${what}: container address`);
  checkPort(binding.hostPort, `${what}: host port`);
  checkPort(binding.containerPort, `${what}: container port`);
  checkIfname(binding.bridge, what);
}

export function validateLink(link: LinkRule): void {
  const what = `link from container ${link.containerId}`;
  checkIfname(link.bridge, what);
  checkIpv4(link.sourceIp, `${what}: source address`);
  checkIpv4(link.targetIp, `${what}: target address`);
  link.ports.forEach((p: ExposedPort) => {
    checkProtocol(p.protocol, what);
    checkPort(p.port, `${what}: port`);
  });
}

function checkIfname(name: string, what: string): void {
  if (!isValidIfName(name)) {
    throw invalidArgument(`${what}: bridge "${name}" is not a valid interface name (1-15 of A-Z a-z 0-9 _ . -)`);
  }
}

function checkIpv4(value: string, what: string): void {
  if (!isValidIpv4(value)) {
    throw invalidArgument(`${what} "${value}" is not an IPv4 address; the nftables backend publishes IPv4 only so far`);
  }
}

function checkPort(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidArgument(`${what} ${String(value)} is not a port number (1-65535)`);
  }
}

function checkProtocol(value: string, what: string): void {
  if (!PROTOCOLS.has(value)) {
    throw invalidArgument(`${what}: protocol "${value}" is not one of tcp, udp, sctp`);
  }
}
