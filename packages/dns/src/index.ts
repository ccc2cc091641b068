export { DnsResolver, type DnsResolverOptions } from './resolver.js';
export type { DnsEndpoint, DnsLink, DnsNetwork, DnsView } from './view.js';
export type { BindRetry } from './bind.js';
export type { ForwarderOptions } from './forwarder.js';
export type { TcpLimits } from './tcp-server.js';
export { DNS_PORT } from './addresses.js';
