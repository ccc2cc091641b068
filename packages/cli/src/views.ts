import { declaredPorts, type Container, type Endpoint, type Network, type PortBinding, type Store } from '@ctrnet/core';

/** `80/tcp -> 0.0.0.0:8080`, Docker's `port` line. */
export function portLine(b: PortBinding): string {
  return `${b.containerPort}/${b.protocol} -> ${b.hostIp}:${b.hostPort}`;
}

/** `0.0.0.0:8080->80/tcp`, the PORTS column of `ps`. */
export function portsColumn(bindings: PortBinding[], exposed: { port: number; protocol: string }[]): string {
  const published = bindings.map((b) => `${b.hostIp}:${b.hostPort}->${b.containerPort}/${b.protocol}`);
  const bare = exposed.filter((e) => !bindings.some((b) => b.containerPort === e.port && b.protocol === e.protocol)).map((e) => `${e.port}/${e.protocol}`);
  return [...published, ...bare].join(', ');
}

/** `docker container inspect`'s shape, with the fields cli.md names. */
export function inspectContainer(store: Store, c: Container, networkName: (id: string) => Network | undefined) {
  const endpoints = store.endpointsOfContainer(c.id);
  const bindings = store.portsOfContainer(c.id);
  const spec = c.spec;
  const exposed = Object.fromEntries(declaredPorts(spec).map((p) => [`${p.port}/${p.protocol}`, {}]));
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.publish) {
    for (const [i, port] of rangeOf(p.containerPorts).entries()) {
      const key = `${port}/${p.protocol}`;
      const hostPort = p.hostPorts ? String(p.hostPorts.end - p.hostPorts.start === p.containerPorts.end - p.containerPorts.start ? p.hostPorts.start + i : `${p.hostPorts.start}-${p.hostPorts.end}`) : '';
      (portBindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: hostPort });
    }
  }
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = Object.fromEntries(Object.keys(exposed).map((k) => [k, null]));
  for (const b of bindings) (ports[`${b.containerPort}/${b.protocol}`] ??= [])!.push({ HostIp: b.hostIp, HostPort: String(b.hostPort) });
  const networks: Record<string, unknown> = {};
  for (const id of spec.networks) {
    const n = networkName(id);
    const e: Endpoint | undefined = endpoints.find((x) => x.networkId === id);
    networks[n?.name ?? id] = {
      IPAddress: e?.ipv4 ?? '',
      IPPrefixLen: e?.prefixLen ?? 0,
      Gateway: e?.gateway ?? '',
      MacAddress: e?.mac ?? '',
      NetworkID: id,
      EndpointID: e?.id ?? '',
    };
  }
  return {
    Id: c.id,
    Created: c.created,
    Name: `/${c.name}`,
    State: { Status: c.status, Running: c.status === 'running', Pid: c.pid ?? 0, ExitCode: c.exitCode ?? 0, StartedAt: c.started ?? '', FinishedAt: c.finished ?? '' },
    Config: { Hostname: spec.hostname, ExposedPorts: exposed, Env: spec.env.map(([k, v]) => `${k}=${v}`), Cmd: spec.command },
    HostConfig: {
      NetworkMode: spec.network,
      PortBindings: portBindings,
      PublishAllPorts: spec.publishAll,
      Dns: spec.dns,
      DnsSearch: spec.dnsSearch,
      DnsOptions: spec.dnsOptions,
      Links: spec.links.map(([n, a]) => `/${n}:/${c.name}/${a}`),
      ExtraHosts: spec.addHosts.map(([h, ip]) => `${h}:${ip}`),
    },
    NetworkSettings: { SandboxKey: c.sandboxKey ?? '', Ports: ports, Networks: networks },
  };
}

/** `docker network inspect`'s shape. */
export function inspectNetwork(store: Store, n: Network) {
  const containers: Record<string, unknown> = {};
  for (const e of store.endpointsOfNetwork(n.id)) {
    const c = store.container(e.containerId);
    containers[e.containerId] = {
      Name: c?.name ?? '',
      EndpointID: e.id,
      MacAddress: e.mac ?? '',
      IPv4Address: e.ipv4 ? `${e.ipv4}/${e.prefixLen}` : '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Driver: n.driver,
    EnableIPv6: n.ipv6,
    IPAM: { Driver: n.ipamDriver, Config: n.pool ? [{ Subnet: n.pool.subnet, ...(n.pool.ipRange ? { IPRange: n.pool.ipRange } : {}), Gateway: n.pool.gateway }] : [] },
    Internal: n.internal,
    Containers: containers,
    Options: n.options,
  };
}

function rangeOf(r: { start: number; end: number }): number[] {
  return Array.from({ length: r.end - r.start + 1 }, (_, i) => r.start + i);
}
