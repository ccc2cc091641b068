import createDebug from 'debug';
import { invalidArgument } from '@ctrnet/core';
import { parseServer, requireIp, reverseName, type ServerAddress } from './addresses.js';
import type { DnsEndpoint, DnsNetwork, DnsView } from './view.js';

const debug = createDebug('ctrnet:dns:records');

/** glibc's MAXNS and Docker's maxExtDNS: more servers than this are never tried. */
export const MAX_UPSTREAM = 3;

/** One container attachment, with its names pre-lowered for matching. */
export interface EndpointRecord {
  /** The container name as given (PTR answers use it). */
  name: string;
  ipv4?: string;
  ipv6?: string;
  /** Link alias (lower case) → target name (lower case) on the same network. */
  links: Map<string, string>;
}

/** A network's records, indexed for the queries the resolver answers. */
export interface NetworkRecords {
  id: string;
  /** Lower case, for `NAME.NETWORK` matching. */
  name: string;
  /** As given, for PTR answers. */
  displayName: string;
  internal: boolean;
  /** Lower-case name or alias → every endpoint carrying it, in view order. */
  names: Map<string, EndpointRecord[]>;
  /** Reverse name (see {@link reverseName}) → `CONTAINER.NETWORK`. */
  ptr: Map<string, string>;
}

/**
 * Everything one query may see: chosen once per query from its listen
 * address (the network) and source address (the container).
 */
export interface QueryScope {
  /** Networks whose names are visible, the one queried first, then the container's others in view order. */
  networks: NetworkRecords[];
  /** The source container's endpoint on each of {@link networks} (same index); empty for an unknown source. */
  endpoints: EndpointRecord[];
  /** Whether unknown names may be forwarded (false when every visible network is internal). */
  forward: boolean;
  /** Where to forward: the container's `--dns` servers, else the view's upstream. */
  upstream: ServerAddress[];
}

/** The addresses a name resolves to in one scope; either list may be empty (NODATA for that family). */
export interface NameAddresses {
  ipv4: string[];
  ipv6: string[];
}

/**
 * The view, indexed for look-ups by (listen address, source address). Built
 * once per {@link DnsView} and immutable afterwards, so a query in flight
 * keeps a consistent picture while an update swaps in a new index.
 */
export class RecordIndex {
  /** Listen address → the network answering there. */
  private readonly byListen = new Map<string, NetworkRecords>();
  /** Per network: container address → that container's scope with this network first. */
  private readonly memberScopes = new Map<NetworkRecords, Map<string, QueryScope>>();
  /** Container address → its scope in view order, for a container asking another network's gateway. */
  private readonly anyScope = new Map<string, QueryScope>();
  /** Per network: the scope of a source that is no container (the host, a stale address). */
  private readonly strangerScopes = new Map<NetworkRecords, QueryScope>();

  private constructor() {}

  /** Validates and indexes a view; a bad address or missing name is an error naming it. */
  static build(view: DnsView): RecordIndex {
    const index = new RecordIndex();
    const hostUpstream = parseUpstream(view.upstream, 'upstream');
    const networks = view.networks.map((network) => index.addNetwork(network));
    index.addScopes(view, networks, hostUpstream);
    debug('indexed %d networks, %d containers', networks.length, index.anyScope.size);
    return index;
  }

  /** True when some network claims this (canonical) listen address. */
  servesListenAddress(address: string): boolean {
    return this.byListen.has(address);
  }

  /**
   * The scope of a query that arrived on `listen` from `source` (both
   * canonical). A container known on the listen network sees its own
   * networks, that one first; a container known elsewhere sees its networks
   * (never the listen network's, unless it is on it); any other source sees
   * the listen network, as aardvark-dns does for the host. Undefined when
   * neither the address nor the source is known: nothing to answer for.
   */
  scope(listen: string, source: string): QueryScope | undefined {
    const network = this.byListen.get(listen);
    if (network) {
      return this.memberScopes.get(network)!.get(source) ?? this.anyScope.get(source) ?? this.strangerScopes.get(network);
    }
    return this.anyScope.get(source);
  }

  private addNetwork(network: DnsNetwork): NetworkRecords {
    if (!network.name) throw invalidArgument(`DNS view: network ${network.id} has no name; give every network its name`);
    const records: NetworkRecords = {
      id: network.id,
      name: network.name.toLowerCase(),
      displayName: network.name,
      internal: network.internal,
      names: new Map(),
      ptr: new Map(),
    };
    for (const text of network.listen) {
      const address = requireIp(text, `DNS view: listen address of network ${network.name}`);
      if (!this.byListen.has(address)) this.byListen.set(address, records);
      else debug('listen address %s claimed by two networks; %s keeps it', address, this.byListen.get(address)!.name);
    }
    this.memberScopes.set(records, new Map());
    return records;
  }

  private addScopes(view: DnsView, networks: NetworkRecords[], hostUpstream: ServerAddress[]): void {
    // Pass 1: endpoints and names; remember each container's attachments in view order.
    const attachments = new Map<string, Array<{ network: NetworkRecords; endpoint: EndpointRecord; source: DnsEndpoint }>>();
    view.networks.forEach((network, i) => {
      const records = networks[i]!;
      for (const ctr of network.containers) {
        const endpoint = toEndpoint(ctr, network.name);
        addName(records, ctr.name, endpoint);
        for (const alias of ctr.aliases) addName(records, alias, endpoint);
        for (const address of [endpoint.ipv4, endpoint.ipv6]) {
          if (address !== undefined) records.ptr.set(reverseName(address), `${endpoint.name}.${records.displayName}`);
        }
        const list = attachments.get(ctr.id) ?? [];
        list.push({ network: records, endpoint, source: ctr });
        attachments.set(ctr.id, list);
      }
      this.strangerScopes.set(records, { networks: [records], endpoints: [], forward: !records.internal, upstream: hostUpstream });
    });
    // Pass 2: one scope per (container, network it is on), with that network first.
    for (const list of attachments.values()) {
      const own = list.find((a) => a.source.dns && a.source.dns.length > 0)?.source.dns;
      const upstream = own ? parseUpstream(own, `--dns of container ${list[0]!.source.name}`) : hostUpstream;
      const forward = list.some((a) => !a.network.internal);
      const inViewOrder: QueryScope = { networks: list.map((a) => a.network), endpoints: list.map((a) => a.endpoint), forward, upstream };
      for (const attachment of list) {
        const first = [attachment, ...list.filter((a) => a !== attachment)];
        const scope: QueryScope = { networks: first.map((a) => a.network), endpoints: first.map((a) => a.endpoint), forward, upstream };
        for (const address of [attachment.endpoint.ipv4, attachment.endpoint.ipv6]) {
          if (address === undefined) continue;
          this.memberScopes.get(attachment.network)!.set(address, scope);
          // Addresses are unique per host in practice; if two networks reuse one, the first keeps it.
          if (!this.anyScope.has(address)) this.anyScope.set(address, inViewOrder);
        }
      }
    }
  }
}

/**
 * Resolves `name` (as asked: any case, trailing dot or not) the way Docker's
 * sandbox does: the whole name first, then each `NAME.NETWORK` split from the
 * right (`a.b.c` → `a.b` on network `c`, then `a` on network `b.c`); at each
 * step the source's link aliases before the networks' names; the first
 * network that knows the name answers. Undefined when no network knows it.
 */
export function resolveName(scope: QueryScope, name: string): NameAddresses | undefined {
  const wanted = name.toLowerCase().replace(/\.$/, '');
  if (wanted === '' || wanted === '.') return undefined;
  const direct = lookupIn(scope, wanted, undefined);
  if (direct) return direct;
  for (let dot = wanted.lastIndexOf('.'); dot > 0; dot = wanted.lastIndexOf('.', dot - 1)) {
    const found = lookupIn(scope, wanted.slice(0, dot), wanted.slice(dot + 1));
    if (found) return found;
  }
  return undefined;
}

/** The PTR target (`CONTAINER.NETWORK`) for a reverse name, from the first visible network that has it. */
export function resolvePtr(scope: QueryScope, name: string): string | undefined {
  const wanted = name.toLowerCase().replace(/\.$/, '');
  for (const network of scope.networks) {
    const target = network.ptr.get(wanted);
    if (target !== undefined) return target;
  }
  return undefined;
}

function lookupIn(scope: QueryScope, name: string, networkName: string | undefined): NameAddresses | undefined {
  for (let i = 0; i < scope.endpoints.length; i++) {
    const network = scope.networks[i]!;
    if (networkName !== undefined && network.name !== networkName) continue;
    const target = scope.endpoints[i]!.links.get(name);
    const endpoints = target === undefined ? undefined : network.names.get(target);
    if (endpoints) return addressesOf(endpoints);
  }
  for (const network of scope.networks) {
    if (networkName !== undefined && network.name !== networkName) continue;
    const endpoints = network.names.get(name);
    if (endpoints) return addressesOf(endpoints);
  }
  return undefined;
}

function addressesOf(endpoints: EndpointRecord[]): NameAddresses {
  const result: NameAddresses = { ipv4: [], ipv6: [] };
  for (const endpoint of endpoints) {
    if (endpoint.ipv4 !== undefined) result.ipv4.push(endpoint.ipv4);
    if (endpoint.ipv6 !== undefined) result.ipv6.push(endpoint.ipv6);
  }
  return result;
}

function toEndpoint(ctr: DnsEndpoint, network: string): EndpointRecord {
  if (!ctr.name) throw invalidArgument(`DNS view: container ${ctr.id} on network ${network} has no name; give every container its name`);
  const what = `DNS view: address of container ${ctr.name} on network ${network}`;
  const endpoint: EndpointRecord = { name: ctr.name, links: new Map() };
  if (ctr.ipv4 !== undefined) endpoint.ipv4 = requireIp(ctr.ipv4, what);
  if (ctr.ipv6 !== undefined) endpoint.ipv6 = requireIp(ctr.ipv6, what);
  for (const link of ctr.links ?? []) endpoint.links.set(link.alias.toLowerCase(), link.target.toLowerCase());
  return endpoint;
}

function addName(records: NetworkRecords, name: string, endpoint: EndpointRecord): void {
  const key = name.toLowerCase().replace(/\.$/, '');
  if (key === '') return;
  const list = records.names.get(key);
  if (!list) records.names.set(key, [endpoint]);
  else if (!list.includes(endpoint)) list.push(endpoint);
}

function parseUpstream(servers: string[], what: string): ServerAddress[] {
  try {
    return servers.slice(0, MAX_UPSTREAM).map(parseServer);
  } catch (err) {
    throw invalidArgument(`DNS view: ${what}: ${(err as Error).message}`, err);
  }
}
