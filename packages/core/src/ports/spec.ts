/**
 * Parsing of `-p/--publish` and `--expose` values with Docker's semantics
 * (docker/go-connections `nat.ParsePortSpec`), so a command line that works
 * with `docker run` means the same here. Where Docker silently accepts
 * garbage (`80-90-100` is read as `80-90`), we refuse it instead.
 */
import { isIPv6 } from 'node:net';
import { CtrnetError } from '../errors.js';
import { isValidIpv4 } from '../net/ipv4.js';
import type { ExposedPort, PortRange, Protocol, PublishRequest } from '../types.js';
import { isLongPublishSpec, longPublishSpecToShort } from './long-spec.js';

const PUBLISH_FORMAT = '[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/tcp|udp|sctp]';
const EXPOSE_FORMAT = 'PORT[-END][/tcp|udp|sctp]';
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];
/** A host port of 0: "any free port", like an empty one. */
const ANY_HOST_PORT = '0';

/** A reason a spec is malformed; the caller wraps it with the spec and the expected format. */
class SpecProblem extends Error {}

/**
 * Parse one `-p` value into a {@link PublishRequest}.
 *
 * - `80`, `8000-8010`: container port(s), each on an ephemeral host port.
 * - `8080:80`, `8000-8010:9000-9010`: host and container ranges of equal length, paired in order.
 * - `8000-8010:80`: one container port on any free host port of the range.
 * - `127.0.0.1:8080:80`, `127.0.0.1::80`: bound to one host address; an empty host port is ephemeral.
 * - `[::1]:8080:80`: an IPv6 host address in brackets (Docker's unbracketed `::1:8080:80` works too).
 * - `/udp`, `/sctp` suffix: the protocol (case-insensitive like Docker's); `tcp` by default.
 * - `0:80`: a host port of 0 is a free host port, as an empty one (Docker's shorthand).
 * - `target=80,published=8080,protocol=udp,host_ip=127.0.0.1`: the long form (see long-spec.ts).
 *
 * @throws CtrnetError INVALID_ARGUMENT naming the spec, the problem and the expected format.
 */
export function parsePublishSpec(spec: string): PublishRequest {
  const short = isLongPublishSpec(spec) ? longPublishSpecToShort(spec) : spec;
  try {
    const { hostIp, hostPort, containerPort: containerPart } = splitPublishSpec(short);
    const { port, protocol } = splitProtocol(containerPart, 'container port');
    const containerPorts = parseRange(port, 'container port');
    const request: PublishRequest = { containerPorts, protocol };
    if (hostIp !== '') request.hostIp = parseHostIp(hostIp);
    if (hostPort !== '' && hostPort !== ANY_HOST_PORT) {
      if (hostIp === '' && isValidIpv4(hostPort)) {
        throw new SpecProblem(`${q(hostPort)} is a host IP, not a host port; write ${hostPort}::${containerPart} for a free host port on that address`);
      }
      const hostPorts = parseRange(hostPort, 'host port');
      const hostCount = hostPorts.end - hostPorts.start;
      const containerCount = containerPorts.end - containerPorts.start;
      // A host range with one container port is Docker's "any free port of this range".
      if (hostCount !== containerCount && containerCount !== 0) {
        throw new SpecProblem(
          `host range ${hostPort} has ${hostCount + 1} port(s) but container range ${port} has ${containerCount + 1}; give ranges of equal length, or one container port to pick a free host port from the range`,
        );
      }
      request.hostPorts = hostPorts;
    }
    return request;
  } catch (err) {
    throw wrap(err, `invalid publish spec ${q(spec)}`, PUBLISH_FORMAT);
  }
}

/**
 * Parse one `--expose` value into the ports it declares, in ascending order
 * (`8000-8002/udp` declares three ports).
 *
 * @throws CtrnetError INVALID_ARGUMENT naming the spec, the problem and the expected format.
 */
export function parseExposeSpec(spec: string): ExposedPort[] {
  try {
    if (spec.includes(':')) throw new SpecProblem('--expose takes no host part (":"); use -p to publish a port on the host');
    const { port, protocol } = splitProtocol(spec, 'port');
    const { start, end } = parseRange(port, 'port');
    return Array.from({ length: end - start + 1 }, (_, i) => ({ port: start + i, protocol }));
  } catch (err) {
    throw wrap(err, `invalid expose spec ${q(spec)}`, EXPOSE_FORMAT);
  }
}

/**
 * Split `[HOST_IP:][HOST_PORT:]CONTAINER` into its three parts ('' when absent).
 * Like Docker, more than three colon-separated parts means an unbracketed
 * IPv6 host address made of all but the last two.
 */
function splitPublishSpec(spec: string): { hostIp: string; hostPort: string; containerPort: string } {
  if (spec.startsWith('[')) {
    // Take the bracketed address ourselves: splitting on ':' first would cut it apart and blame the wrong part.
    const close = spec.indexOf(']');
    if (close < 0) throw new SpecProblem('host IP starts with "[" but has no closing "]"');
    const rest = spec.slice(close + 1);
    const parts = rest.startsWith(':') ? rest.slice(1).split(':') : [];
    if (parts.length !== 2) {
      throw new SpecProblem(`a bracketed host IP must be followed by :HOST_PORT:CONTAINER_PORT (leave HOST_PORT empty, as in [::1]::80, for a free port)`);
    }
    if (close === 1) throw new SpecProblem('the host IP in brackets is empty');
    return { hostIp: spec.slice(1, close), hostPort: parts[0]!, containerPort: parts[1]! };
  }
  const parts = spec.split(':');
  const n = parts.length;
  if (n === 1) return { hostIp: '', hostPort: '', containerPort: parts[0]! };
  if (n === 2) return { hostIp: '', hostPort: parts[0]!, containerPort: parts[1]! };
  return { hostIp: parts.slice(0, n - 2).join(':'), hostPort: parts[n - 2]!, containerPort: parts[n - 1]! };
}

/** Split `PORTS[/PROTO]`; an empty protocol (`80/`) means tcp, as in Docker. */
function splitProtocol(value: string, what: string): { port: string; protocol: Protocol } {
  const slash = value.indexOf('/');
  const port = slash < 0 ? value : value.slice(0, slash);
  const proto = slash < 0 ? '' : value.slice(slash + 1).toLowerCase();
  if (port === '') throw new SpecProblem(`no ${what} given`);
  if (proto === '') return { port, protocol: 'tcp' };
  if (!(PROTOCOLS as readonly string[]).includes(proto)) {
    throw new SpecProblem(`unknown protocol ${q(value.slice(slash + 1))}; use tcp, udp or sctp`);
  }
  return { port, protocol: proto as Protocol };
}

/** Parse `N` or `N-M` (ascending, each 1–65535). */
function parseRange(value: string, what: string): PortRange {
  const bounds = value.split('-');
  if (bounds.length > 2) throw new SpecProblem(`${what} ${q(value)} is not a port or a range START-END`);
  const start = parsePort(bounds[0]!, what, value);
  const end = bounds.length === 2 ? parsePort(bounds[1]!, what, value) : start;
  if (end < start) throw new SpecProblem(`${what} range ${q(value)} is descending; write it as ${end}-${start}`);
  return { start, end };
}

function parsePort(text: string, what: string, whole: string): number {
  // Decimal digits only: Go's ParseUint refuses signs, blanks and hex, and so do we.
  if (!/^\d+$/.test(text)) throw new SpecProblem(`${what} ${q(whole)} is not a number or range of numbers`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new SpecProblem(`${what} ${port} is out of range 1-65535`);
  return port;
}

/** Validate a host IP (IPv4, or IPv6 with its brackets already removed). */
function parseHostIp(ip: string): string {
  // IPv6 zone ids (fe80::1%eth0) are refused, like Go's net.ParseIP does.
  if (isValidIpv4(ip) || (isIPv6(ip) && !ip.includes('%'))) return ip;
  const hint = ip.includes(':') ? ' (too many ":"? an IPv6 host IP goes in brackets, e.g. [::1]:8080:80)' : '';
  throw new SpecProblem(`host IP ${q(ip)} is not an IPv4 or IPv6 address${hint}`);
}

/** Quote user input so that even a stray newline keeps the message on one line. */
function q(text: string): string {
  return JSON.stringify(text);
}

function wrap(err: unknown, prefix: string, format: string): unknown {
  if (!(err instanceof SpecProblem)) return err;
  return new CtrnetError('INVALID_ARGUMENT', `${prefix}: ${err.message}; expected ${format}`);
}
