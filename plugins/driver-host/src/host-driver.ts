/**
 * `--net host`: the container uses the host's network namespace as is. There
 * is nothing to create or join; what this driver contributes is its traits
 * (no IPAM, published ports discarded) and the run options Docker refuses.
 */
import createDebug from 'debug';
import { planEmptyNetwork, type Endpoint, type Network, type NetworkDriver, type NetworkPlan, type NetworkRequest, type RunOptionName } from '@ctrnet/core';

const debug = createDebug('ctrnet:driver-host:driver');

export class HostDriver implements NetworkDriver {
  readonly name = 'host';
  readonly sandbox = 'host';
  readonly usesIpam = false;
  readonly ports = 'discard';
  readonly userDefined = false;
  /**
   * Docker refuses `--link` ("host type networking can't be used with
   * links"), `--mac-address` ("conflicting options: mac-address and the
   * network mode") and `--ip` (only on user-defined networks) with host
   * networking; `--default-gateway` would rewrite the host's own routes.
   * `--hostname`, `--dns` and `--add-host` stay allowed: the container keeps
   * its own UTS namespace, hosts and resolv.conf.
   */
  readonly refusedRunOptions: readonly RunOptionName[] = ['link', 'mac-address', 'ip', 'ip6', 'default-gateway'];

  planNetwork(request: NetworkRequest): NetworkPlan {
    return planEmptyNetwork(this.name, request);
  }

  async createNetwork(): Promise<void> {}

  async deleteNetwork(): Promise<void> {}

  planEndpoint(_network: Network, endpoint: Endpoint): Endpoint {
    return endpoint;
  }

  async join(): Promise<void> {
    debug('join: the container uses the host namespace, nothing to do');
  }

  async leave(): Promise<void> {}
}
