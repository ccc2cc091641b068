/** The API's read models, built from the store: what `ps`, `inspect` and `network ls/inspect` show. */
import type { Container } from '../runtime/containers.js';
import type { SandboxRecord } from '../runtime/sandboxes.js';
import { declaredPorts } from '../runtime/spec.js';
import type { Store } from '../store/store.js';
import type { Network } from '../types.js';
import type { ContainerInspect, ContainerSummary, IpamPoolLease, NetworkInspect, NetworkSummary, SandboxAttachment } from './types.js';
import type { PoolLease } from '../runtime/pools.js';

/** The default network's name: Docker fills NetworkSettings' legacy top-level fields from its endpoint only. */
const DEFAULT_NETWORK = 'bridge';

export function containerSummary(store: Store, c: Container): ContainerSummary {
  const ports = store.ports.ofContainer(c.id);
  return {
    Id: c.id,
    Name: c.name,
    Status: c.status,
    ExitCode: c.exitCode,
    NetworkMode: c.networkMode,
    IPs: store.endpoints.ofContainer(c.id).flatMap((e) => [e.ipv4, e.ipv6].filter((ip): ip is string => ip !== undefined)),
    Ports: ports,
    Exposed: declaredPorts(c.spec).filter((e) => !ports.some((b) => b.containerPort === e.port && b.protocol === e.protocol)),
    Networks: c.spec.networks.map((id) => ({ Name: store.networks.find(id)?.name ?? id, Id: id })),
    Labels: Object.fromEntries(c.spec.labels ?? []),
    Command: c.spec.command,
    Created: c.created,
    Started: c.started,
    Finished: c.finished,
    Warnings: c.spec.warnings?.length ? c.spec.warnings : undefined,
  };
}

export function containerInspect(store: Store, c: Container): ContainerInspect {
  const endpoints = store.endpoints.ofContainer(c.id);
  const bindings = store.ports.ofContainer(c.id);
  const spec = c.spec;
  const exposed = Object.fromEntries(declaredPorts(spec).map((p) => [`${p.port}/${p.protocol}`, {}]));
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.publish) {
    for (const [i, port] of rangeOf(p.containerPorts).entries()) {
      const key = `${port}/${p.protocol}`;
      const sameLength = p.hostPorts && p.hostPorts.end - p.hostPorts.start === p.containerPorts.end - p.containerPorts.start;
      const hostPort = p.hostPorts ? (sameLength ? String(p.hostPorts.start + i) : `${p.hostPorts.start}-${p.hostPorts.end}`) : '';
      (portBindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: hostPort });
    }
  }
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = Object.fromEntries(Object.keys(exposed).map((k) => [k, null]));
  // A routed port has no host side: Docker shows the family's any-address and an empty host port.
  for (const b of bindings) {
    const host = b.routed ? { HostIp: b.hostIp.includes(':') ? '::' : '0.0.0.0', HostPort: '' } : { HostIp: b.hostIp, HostPort: String(b.hostPort) };
    (ports[`${b.containerPort}/${b.protocol}`] ??= [])!.push(host);
  }
  const networks: ContainerInspect['NetworkSettings']['Networks'] = {};
  for (const networkId of spec.networks) {
    const n = store.networks.find(networkId);
    const e = endpoints.find((x) => x.networkId === networkId);
    networks[n?.name ?? networkId] = {
      IPAddress: e?.ipv4 ?? '',
      IPPrefixLen: e?.prefixLen ?? 0,
      Gateway: e?.gateway ?? '',
      GlobalIPv6Address: e?.ipv6 ?? '',
      GlobalIPv6PrefixLen: e?.prefixLen6 ?? 0,
      IPv6Gateway: e?.gateway6 ?? '',
      MacAddress: e?.mac ?? '',
      NetworkID: networkId,
      EndpointID: e?.id ?? '',
    };
  }
  const onDefault = networks[DEFAULT_NETWORK];
  const legacy = { IPAddress: onDefault?.IPAddress ?? '', IPPrefixLen: onDefault?.IPPrefixLen ?? 0, Gateway: onDefault?.Gateway ?? '', MacAddress: onDefault?.MacAddress ?? '' };
  return {
    Id: c.id,
    Created: c.created,
    Name: `/${c.name}`,
    State: { Status: c.status, Running: c.status === 'running', Pid: c.pid ?? 0, ExitCode: c.exitCode ?? 0, StartedAt: c.started ?? '', FinishedAt: c.finished ?? '' },
    Config: {
      Hostname: spec.hostname,
      ExposedPorts: exposed,
      Env: spec.env.map(([k, v]) => `${k}=${v}`),
      Cmd: spec.command,
      Tty: spec.tty ?? false,
      OpenStdin: spec.interactive ?? false,
      WorkingDir: spec.workdir ?? '',
      User: spec.user ?? '',
      Labels: Object.fromEntries(spec.labels ?? []),
      StopSignal: spec.stopSignal,
    },
    HostConfig: {
      NetworkMode: spec.network,
      AutoRemove: spec.autoRemove,
      Init: spec.init ?? false,
      PortBindings: portBindings,
      PublishAllPorts: spec.publishAll,
      Dns: spec.dns,
      DnsSearch: spec.dnsSearch,
      DnsOptions: spec.dnsOptions,
      Links: spec.links.map(([n, a]) => `/${n}:/${c.name}/${a}`),
      ExtraHosts: spec.addHosts.map(([h, ip]) => `${h}:${ip}`),
    },
    NetworkSettings: { SandboxKey: c.sandboxKey ?? '', ...legacy, Ports: ports, Networks: networks },
  };
}

export function networkSummary(store: Store, n: Network): NetworkSummary {
  return {
    Name: n.name,
    Id: n.id,
    Driver: n.driver,
    Subnet: n.pool?.subnet ?? '',
    Gateway: n.pool?.gateway ?? '',
    IPv6Subnet: n.pool6?.subnet ?? '',
    IPv6Gateway: n.pool6?.gateway ?? '',
    Internal: n.internal,
    EnableIPv6: n.ipv6,
    Containers: store.endpoints.ofNetwork(n.id).length,
    Created: n.created,
  };
}

export function networkInspect(store: Store, n: Network): NetworkInspect {
  const containers: NetworkInspect['Containers'] = {};
  for (const e of store.endpoints.ofNetwork(n.id)) {
    containers[e.containerId] = {
      Name: store.containers.find(e.containerId)?.name ?? '',
      EndpointID: e.id,
      MacAddress: e.mac ?? '',
      IPv4Address: e.ipv4 ? `${e.ipv4}/${e.prefixLen}` : '',
      IPv6Address: e.ipv6 ? `${e.ipv6}/${e.prefixLen6}` : '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Driver: n.driver,
    EnableIPv4: n.ipv4 !== false,
    EnableIPv6: n.ipv6,
    IPAM: {
      Driver: n.ipamDriver,
      Config: [n.pool, n.pool6].flatMap((p) => (p ? [{ Subnet: p.subnet, ...(p.ipRange ? { IPRange: p.ipRange } : {}), Gateway: p.gateway }] : [])),
    },
    Internal: n.internal,
    Containers: containers,
    Options: n.options,
  };
}

function rangeOf(r: { start: number; end: number }): number[] {
  return Array.from({ length: r.end - r.start + 1 }, (_, i) => r.start + i);
}

/** An attachment of another engine's namespace; `device` is the network's host interface, if any. */
export function sandboxAttachment(store: Store, record: SandboxRecord, device: (network: Network) => string | undefined): SandboxAttachment {
  const info = record.spec.sandbox;
  const endpoint = store.endpoints.ofContainer(record.id)[0];
  const network = store.networks.find(record.spec.networks[0] ?? '');
  return {
    owner: info.owner,
    ifname: info.ifname,
    id: record.id,
    network: network?.name ?? record.networkMode,
    networkId: record.spec.networks[0] ?? '',
    netnsPath: info.netnsPath,
    handoff: info.handoff,
    mac: endpoint?.mac ?? '',
    ipv4: endpoint?.ipv4,
    prefixLen: endpoint?.prefixLen,
    gateway: endpoint?.gateway,
    defaultRoute: endpoint?.defaultRoute ?? false,
    hostIfname: endpoint?.hostIfname,
    device: network && device(network),
    bindings: store.ports.ofContainer(record.id),
    aliases: info.aliases,
    dns: { servers: record.spec.dns, searches: record.spec.dnsSearch, options: record.spec.dnsOptions },
    created: record.created,
  };
}

export function ipamPoolLease(store: Store, lease: PoolLease): IpamPoolLease {
  const network = store.networks.find(lease.id);
  const pool = network?.id === lease.id && network.pool ? network.pool : lease.pool;
  return { id: lease.id, ipamDriver: lease.ipamDriver, subnet: pool.subnet, ipRange: pool.ipRange, gateway: pool.gateway, network: network?.id === lease.id ? network.name : undefined, created: lease.created };
}
