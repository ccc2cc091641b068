/**
 * Docker's NetworkDriver methods as calls of ctrnet's runtime API. A Docker
 * network is a ctrnet bridge network named `docker-<id12>` (taking over the
 * pool ctrnet's IPAM driver leased for it, when Docker's IPAM was ctrnet);
 * an endpoint is an attachment with owner `docker:<endpoint id>`, made at
 * CreateEndpoint in handoff mode: the veth's container end waits in the
 * host namespace under SrcName, Docker moves, renames and addresses it
 * after Join, and brings it back before DeleteEndpoint, which deletes the
 * pair. Published ports follow ProgramExternalConnectivity and
 * RevokeExternalConnectivity, which Docker calls on the endpoint that
 * carries the container's gateway. Everything is in ctrnet's store, so a restart of dockerd or of
 * ctrnetd loses nothing: each call finds its objects by Docker's ids.
 */
import createDebug from 'debug';
import { CtrnetError, invalidArgument, isCtrnetError, type CtrnetApi, type SandboxAttachment } from '@ctrnet/core/api';
import {
  DOCKER_KEYS,
  dockerMac,
  endpointOwner,
  handoffName,
  networkName,
  publishRequests,
  withoutPrefix,
  type CreateEndpointRequest,
  type CreateNetworkRequest,
  type JoinRequest,
} from './protocol.js';

const debug = createDebug('ctrnet:docker-plugin:network');

type Handler = (body: Record<string, unknown>) => Promise<object>;

export function networkDriverHandlers(api: CtrnetApi): Record<string, Handler> {
  const attachmentOf = async (endpointId: string): Promise<SandboxAttachment | undefined> => (await api.call('sandbox.list', { owner: endpointOwner(endpointId) }))[0];
  const required = async (endpointId: string): Promise<SandboxAttachment> => {
    const found = await attachmentOf(endpointId);
    if (!found) throw new CtrnetError('NOT_FOUND', `no endpoint ${endpointId.slice(0, 12)} on a ctrnet network; create it first (CreateEndpoint)`);
    return found;
  };
  /** CreateEndpoint's answer: only the fields Docker left empty may be filled in. */
  const endpointAnswer = (a: SandboxAttachment, req: CreateEndpointRequest) => ({ Interface: req.Interface?.MacAddress ? null : { MacAddress: a.mac } });

  return {
    'NetworkDriver.GetCapabilities': async () => ({ Scope: 'local', ConnectivityScope: 'local' }),

    'NetworkDriver.CreateNetwork': async (body) => {
      const req = body as unknown as CreateNetworkRequest;
      const name = networkName(req.NetworkID);
      const options = req.Options ?? {};
      if (options[DOCKER_KEYS.enableIpv6] === true || (req.IPv6Data ?? []).length) throw invalidArgument('ctrnet networks are IPv4-only for now; create the network without --ipv6');
      const v4 = req.IPv4Data?.[0];
      if (!v4?.Pool) throw invalidArgument('CreateNetwork needs an IPv4 pool (IPv4Data); give the network an IPAM driver');
      if (await exists(api, name)) return {};
      const generic = (options[DOCKER_KEYS.generic] ?? {}) as Record<string, unknown>;
      const driverOptions = Object.fromEntries(Object.entries(generic).map(([k, v]) => [k, String(v)]));
      const internal = options[DOCKER_KEYS.internal] === true;
      // The pool ctrnet's IPAM driver leased for this network (RequestPool came first), if Docker's IPAM was ctrnet.
      const lease = (await api.call('ipam.listPools', {})).find((p) => p.subnet === v4.Pool && !p.network);
      const addressing = lease ? { ipamPool: lease.id } : { subnet: v4.Pool, gateway: v4.Gateway ? withoutPrefix(v4.Gateway) : undefined };
      await api.call('network.create', { name, driver: 'bridge', internal, ipv6: false, options: driverOptions, ...addressing });
      debug('network %s created (%s)', name, lease ? `pool ${lease.id.slice(0, 12)}` : v4.Pool);
      return {};
    },

    'NetworkDriver.DeleteNetwork': async (body) => {
      await api.call('network.remove', { name: networkName(String(body.NetworkID)) }).catch(ignoreNotFound);
      return {};
    },

    'NetworkDriver.CreateEndpoint': async (body) => {
      const req = body as unknown as CreateEndpointRequest;
      const owner = endpointOwner(req.EndpointID);
      const network = networkName(req.NetworkID);
      const existing = await attachmentOf(req.EndpointID);
      if (existing) return endpointAnswer(existing, req);
      const address = req.Interface?.Address;
      if (!address) throw invalidArgument(`endpoint ${req.EndpointID.slice(0, 12)} has no IPv4 address; ctrnet networks need one from the network's IPAM`);
      const options = req.Options ?? {};
      const attachment = await api.call('sandbox.attach', {
        owner,
        network,
        ifname: handoffName(req.EndpointID),
        handoff: true,
        ip: withoutPrefix(address),
        mac: dockerMac(req.Interface?.MacAddress) ?? dockerMac(options[DOCKER_KEYS.mac]),
        defaultRoute: false,
      });
      debug('endpoint %s: %s on %s', req.EndpointID.slice(0, 12), attachment.ipv4, network);
      return endpointAnswer(attachment, req);
    },

    'NetworkDriver.EndpointOperInfo': async (body) => {
      const a = await required(String(body.EndpointID));
      const ports = a.bindings.map((b) => ({ HostIP: b.hostIp, HostPort: b.hostPort, Port: b.containerPort, Proto: b.protocol }));
      return { Value: { ipv4: a.ipv4 ? `${a.ipv4}/${a.prefixLen}` : '', mac: a.mac, hostInterface: a.hostIfname ?? '', bridge: a.device ?? '', ports } };
    },

    'NetworkDriver.DeleteEndpoint': async (body) => {
      await api.call('sandbox.detach', { owner: endpointOwner(String(body.EndpointID)) });
      return {};
    },

    'NetworkDriver.Join': async (body) => {
      const req = body as unknown as JoinRequest;
      const a = await required(req.EndpointID);
      const internal = (await api.call('network.inspect', { name: a.network })).Internal;
      // A gateway keeps Docker from adding a docker_gwbridge endpoint; an internal network has none, as in Docker.
      return { InterfaceName: { SrcName: a.ifname, DstPrefix: 'eth' }, Gateway: internal ? '' : (a.gateway ?? ''), GatewayIPv6: '', StaticRoutes: [], DisableGatewayService: false };
    },

    // Docker moves the interface back into the host namespace itself; DeleteEndpoint removes it.
    'NetworkDriver.Leave': async () => ({}),
    // Docker programs ports on the endpoint that carries the container's gateway only (CreateEndpoint gets them on every network).
    'NetworkDriver.ProgramExternalConnectivity': async (body) => {
      const options = (body.Options ?? {}) as Record<string, unknown>;
      await api.call('sandbox.publish', { owner: endpointOwner(String(body.EndpointID)), publish: publishRequests(options[DOCKER_KEYS.portMap]) });
      return {};
    },
    'NetworkDriver.RevokeExternalConnectivity': async (body) => {
      await api.call('sandbox.publish', { owner: endpointOwner(String(body.EndpointID)), publish: [] }).catch(ignoreNotFound);
      return {};
    },
    'NetworkDriver.DiscoverNew': async () => ({}),
    'NetworkDriver.DiscoverDelete': async () => ({}),
  };
}

async function exists(api: CtrnetApi, name: string): Promise<boolean> {
  try {
    await api.call('network.inspect', { name });
    return true;
  } catch (err) {
    if (isCtrnetError(err, 'NOT_FOUND')) return false;
    throw err;
  }
}

function ignoreNotFound(err: unknown): void {
  if (!isCtrnetError(err, 'NOT_FOUND')) throw err;
}
