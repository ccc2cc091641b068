/**
 * `--net container:NAME`: the container joins another container's network
 * namespace. The runtime hands it that namespace; there is no interface of
 * its own to create, so this driver is its traits and Docker's list of
 * conflicting run options.
 */
import createDebug from 'debug';
import { RUN_OPTION_NAMES, planEmptyNetwork, type Endpoint, type Network, type NetworkDriver, type NetworkPlan, type NetworkRequest, type RunOptionName } from '@ctrnet/core';

const debug = createDebug('ctrnet:driver-container:driver');

export class ContainerDriver implements NetworkDriver {
  readonly name = 'container';
  readonly sandbox = 'shared';
  readonly usesIpam = false;
  readonly ports = 'refuse';
  readonly userDefined = false;
  /**
   * Every run option: ports, hostname, DNS and hosts files, links, MAC,
   * addresses and routes all belong to the namespace's owner. Docker refuses
   * all but the DNS search/options and the gateway with "conflicting
   * options: ... and the network mode"; those belong to the owner just the same.
   */
  readonly refusedRunOptions: readonly RunOptionName[] = RUN_OPTION_NAMES;

  planNetwork(request: NetworkRequest): NetworkPlan {
    return planEmptyNetwork(this.name, request);
  }

  async createNetwork(): Promise<void> {}

  async deleteNetwork(): Promise<void> {}

  planEndpoint(_network: Network, endpoint: Endpoint): Endpoint {
    return endpoint;
  }

  async join(): Promise<void> {
    debug('join: the runtime shares the other container namespace, nothing to do');
  }

  /** The namespace stays with its owner. */
  async leave(): Promise<void> {}
}
