/**
 * What the resolver knows, as plain data the caller builds (the daemon from
 * ctrnet's store) and hands to {@link DnsResolver.update}. A view is a whole
 * snapshot: each update replaces the previous one, so there is no partial
 * state to reconcile. The resolver never mutates it.
 */
export interface DnsView {
  /** Every network whose containers get names. Order matters only for ties (see {@link DnsNetwork}). */
  networks: DnsNetwork[];
  /**
   * The host's resolvers, usually the `nameserver` lines of the host's
   * resolv.conf: `ADDRESS`, `ADDRESS:PORT` or `[IPV6]:PORT`. Queries for
   * names the resolver does not own go here, from the resolver's own network
   * namespace, unless a container has its own {@link DnsEndpoint.dns}. At most
   * the first three are used (glibc's MAXNS, Docker's maxExtDNS). Empty means
   * nothing is forwarded: such queries get SERVFAIL.
   */
  upstream: string[];
}

/** One network: its identity, where the resolver answers for it, and its members. */
export interface DnsNetwork {
  /** Stable id (ctrnet's network id); used in logs. */
  id: string;
  /**
   * The network name. `NAME.NETWORK` queries match it case-insensitively,
   * and PTR answers are `CONTAINER.NETWORK.` as in Docker.
   */
  name: string;
  /**
   * An internal network has no way out, so a container whose networks are
   * all internal gets nothing forwarded: unknown names answer SERVFAIL, as
   * Docker's resolver does when proxying is off.
   */
  internal: boolean;
  /**
   * The addresses the resolver answers on for this network: the bridge's
   * gateway IPs (v4 and/or v6). This is how a query's listen address is
   * mapped to a network; the sockets themselves are opened by
   * {@link DnsResolver.listen}.
   */
  listen: string[];
  /** The containers attached to this network, one entry per attachment. */
  containers: DnsEndpoint[];
}

/**
 * One container's attachment to one network. A container on several
 * networks appears once in each, with the same {@link id}: that is how the
 * resolver knows which other networks' names it may see.
 */
export interface DnsEndpoint {
  /** The container id, identical across the container's networks. */
  id: string;
  /** The container name; resolvable by every container on the network. */
  name: string;
  /**
   * More names on this network only (`--network-alias`). Several containers
   * may share one: the answer then holds all their addresses, shuffled per
   * reply. Docker also adds the 12-character short container id here.
   */
  aliases: string[];
  /** The container's IPv4 address on this network, if any. */
  ipv4?: string;
  /** The container's IPv6 address on this network, if any. */
  ipv6?: string;
  /**
   * Legacy `--link TARGET:ALIAS` entries of this container on this network:
   * ALIAS resolves, for this container only, to TARGET's addresses here, and
   * is tried before the network's own names (Docker checks links first).
   */
  links?: DnsLink[];
  /**
   * The container's own `--dns` servers (same syntax as
   * {@link DnsView.upstream}); when set they replace the host's for this
   * container's forwarded queries. Give the same list on every network of the
   * container; the first non-empty one found wins.
   */
  dns?: string[];
}

/** A legacy link: {@link alias} resolves like {@link target} does on the same network. */
export interface DnsLink {
  /** The name the linking container uses. */
  alias: string;
  /** The linked container's name (or one of its aliases) on the same network. */
  target: string;
}
