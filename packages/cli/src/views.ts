import type { PortBinding } from '@ctrnet/core/api';

/** `80/tcp -> 0.0.0.0:8080`, `80/tcp -> [::]:8080`, Docker's `port` line; a routed port shows where it is reached. */
export function portLine(b: PortBinding): string {
  return `${b.containerPort}/${b.protocol} -> ${hostSide(b)}${b.routed ? ' (routed)' : ''}`;
}

/** `0.0.0.0:8080->80/tcp`, `[::]:8080->80/tcp`, the PORTS column of `ps`. */
export function portsColumn(bindings: PortBinding[], exposed: { port: number; protocol: string }[]): string {
  const published = bindings.map((b) => `${hostSide(b)}->${b.containerPort}/${b.protocol}`);
  const bare = exposed.filter((e) => !bindings.some((b) => b.containerPort === e.port && b.protocol === e.protocol)).map((e) => `${e.port}/${e.protocol}`);
  return [...published, ...bare].join(', ');
}

/** Host address and port, an IPv6 address in brackets: what `port NAME PORT` prints for a binding. */
export function hostSide(b: PortBinding): string {
  return `${b.hostIp.includes(':') ? `[${b.hostIp}]` : b.hostIp}:${b.hostPort}`;
}
