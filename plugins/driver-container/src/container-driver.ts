/**
 * `--net container:NAME`: the container joins another container's network
 * namespace. The runtime hands it that namespace; there is no interface of
 * its own to create, so this driver is its traits and Docker's list of
 * conflicting run options.
 */
import createDebug from 'debug';
import { invalidArgument, type Endpoint, type Network, type NetworkDriver, type NetworkPlan, type NetworkRequest, type RunOptionName } from '@ctrnet/core';

const debug = createDebug('ctrnet:driver-container:driver');

export class ContainerDriver implements NetworkDriver {
  readonly name = 'container';
  readonly sandbox = 'shared';
  readonly usesIpam = false;
  readonly ports = 'refuse';
  readonly userDefined = false;
  /**
   * Everything that belongs to the namespace's owner: its ports, hostname,
   * DNS and hosts files, links, MAC, addresses and routes. Docker refuses all
   * but the DNS search/options and the gateway with "conflicting options:
   * ... and the network mode"; those belong to the owner just the same.
   */
  readonly refusedRunOptions: readonly RunOptionName[] = [
    'publish',
    'publish-all',
    'expose',
    'hostname',
    'dns',
    'dns-search',
    'dns-option',
    'add-host',
    'link',
    'mac-address',
    'ip',
    'default-gateway',
  ];

  planNetwork(request: NetworkRequest): NetworkPlan {
    const keys = Object.keys(request.options);
    if (keys.length > 0) {
      throw invalidArgument(`the container driver takes no options, got ${keys.map((k) => `"${k}"`).join(', ')}; remove the -o flags`);
    }
    if (request.subnet || request.ipRange || request.gateway) {
      throw invalidArgument('the container driver has no address pool; remove --subnet, --ip-range and --gateway');
    }
    return { options: {}, driverData: {} };
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
