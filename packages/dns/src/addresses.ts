import { isIP, SocketAddress } from 'node:net';
import ipCodec from '@leichtgewicht/ip-codec';
import { invalidArgument } from '@ctrnet/core';

/** The port DNS servers listen on, and the one upstream servers are asked on unless told otherwise. */
export const DNS_PORT = 53;

/** A DNS server to forward to: an address and a port. */
export interface ServerAddress {
  /** Canonical text form (see {@link canonicalIp}). */
  address: string;
  port: number;
  family: 4 | 6;
}

/**
 * The one spelling of an IP address used as a map key everywhere: IPv4 dotted
 * quad, IPv6 in RFC 5952 form (lower case, longest zero run compressed), so
 * `FD00:0::1` from a view and `fd00::1` from a socket meet. Undefined when
 * `text` is not an address.
 */
export function canonicalIp(text: string): string | undefined {
  const family = isIP(text);
  if (family === 0) return undefined;
  return new SocketAddress({ address: text, family: family === 4 ? 'ipv4' : 'ipv6' }).address;
}

/** 4 or 6 for a valid address (any spelling). */
export function ipFamily(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** Like {@link canonicalIp}, but a bad address is an error naming `what`. */
export function requireIp(text: string, what: string): string {
  const address = canonicalIp(text);
  if (address === undefined) throw invalidArgument(`${what} "${text}" is not an IP address; give a dotted IPv4 or an IPv6 address`);
  return address;
}

/** True for 0.0.0.0 and ::, which a resolver must not bind: the listen address is what names the network. */
export function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The PTR owner name of an address, lower case without a trailing dot:
 * `10.0.0.2` → `2.0.0.10.in-addr.arpa`, `fd00::2` → 32 nibbles then `ip6.arpa`.
 * Keying PTR records by this name means a query is matched by a map look-up,
 * with no parsing of the reverse name a client sent.
 */
export function reverseName(address: string): string {
  if (ipFamily(address) === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (const byte of ipCodec.ipv6.encode(address)) nibbles.push((byte >> 4).toString(16), (byte & 0xf).toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/**
 * Parses an upstream server: `1.1.1.1`, `1.1.1.1:5353`, `fd00::53`, or
 * `[fd00::53]:5353`. A bare address means port 53. Bad input is an error
 * naming the value.
 */
export function parseServer(text: string): ServerAddress {
  let host = text;
  let port = DNS_PORT;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4WithPort = /^([\d.]+):(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (v4WithPort) {
    host = v4WithPort[1]!;
    port = Number(v4WithPort[2]);
  }
  const address = canonicalIp(host);
  if (address === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidArgument(`DNS server "${text}" is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT; fix the upstream list`);
  }
  return { address, port, family: ipFamily(address) };
}

/** `1.2.3.4:53` / `[fd00::1]:53`, for logs and error messages. */
export function formatServer(server: { address: string; port: number }): string {
  return server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}
