/**
 * `--net none`: the container gets its own network namespace with nothing
 * in it but loopback. The runtime makes the namespace; this driver only
 * makes sure loopback is up, so local services in the container work.
 */
import createDebug from 'debug';
import {
  CtrnetError,
  planEmptyNetwork,
  type Endpoint,
  type IpCommand,
  type Network,
  type NetworkDriver,
  type NetworkPlan,
  type NetworkRequest,
  type PluginContext,
  type RunOptionName,
  type Sandbox,
} from '@ctrnet/core';

const debug = createDebug('ctrnet:driver-none:driver');

/** The whole network setup of a `none` container. */
export const LOOPBACK_UP: readonly IpCommand[] = [['link', 'set', 'lo', 'up']];

export class NoneDriver implements NetworkDriver {
  readonly name = 'none';
  readonly sandbox = 'own';
  readonly usesIpam = false;
  readonly ports = 'discard';
  readonly userDefined = false;
  /**
   * Docker refuses `--mac-address` with `--net none` ("conflicting options:
   * mac-address and the network mode") and `--ip` on any predefined
   * network; without an interface there is no next hop for `--default-gateway`.
   */
  readonly refusedRunOptions: readonly RunOptionName[] = ['mac-address', 'ip', 'ip6', 'default-gateway'];

  planNetwork(request: NetworkRequest): NetworkPlan {
    return planEmptyNetwork(this.name, request);
  }

  async createNetwork(): Promise<void> {}

  async deleteNetwork(): Promise<void> {}

  planEndpoint(_network: Network, endpoint: Endpoint): Endpoint {
    return endpoint;
  }

  async join(ctx: PluginContext, _network: Network, _endpoint: Endpoint, sandbox: Sandbox): Promise<void> {
    // An empty path would make the executor run in ctrnet's own namespace: the host's.
    if (!sandbox.netnsPath.startsWith('/')) {
      throw new CtrnetError('INTERNAL', `sandbox path "${sandbox.netnsPath}" of container ${sandbox.containerId} is not an absolute path; a none container needs its own namespace`);
    }
    debug('join: loopback up in %s', sandbox.netnsPath);
    await ctx.exec.ip(LOOPBACK_UP, { netns: sandbox.netnsPath });
  }

  /** Loopback goes away with the namespace, which the runtime deletes. */
  async leave(): Promise<void> {}
}
