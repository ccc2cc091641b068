/**
 * Docker's IpamDriver methods as calls of ctrnet's `ipam.*` API: a pool is a
 * lease held by ctrnet's IPAM driver (so it overlaps no ctrnet network and
 * no host route), its id is the PoolID, and the network created on it
 * takes it over. Addresses are CIDRs on the wire, plain in ctrnet.
 */
import { invalidArgument, isCtrnetError, type CtrnetApi } from '@ctrnet/core/api';
import { DOCKER_KEYS, withoutPrefix } from './protocol.js';

type Handler = (body: Record<string, unknown>) => Promise<object>;

/** Docker shows these names in `network inspect`; any names do. */
const ADDRESS_SPACES = { LocalDefaultAddressSpace: 'ctrnet-local', GlobalDefaultAddressSpace: 'ctrnet-global' };

export function ipamDriverHandlers(api: CtrnetApi): Record<string, Handler> {
  const poolOf = (body: Record<string, unknown>): string => {
    const id = body.PoolID;
    if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw invalidArgument(`unknown PoolID ${JSON.stringify(id)}: ctrnet's pool ids are 64 hex characters`);
    return id;
  };
  return {
    'IpamDriver.GetCapabilities': async () => ({ RequiresMACAddress: false, RequiresRequestReplay: false }),
    'IpamDriver.GetDefaultAddressSpaces': async () => ADDRESS_SPACES,

    'IpamDriver.RequestPool': async (body) => {
      if (body.V6 === true) throw invalidArgument('ctrnet has no IPv6 pools yet; create the network without --ipv6');
      const subnet = typeof body.Pool === 'string' && body.Pool ? body.Pool : undefined;
      const ipRange = typeof body.SubPool === 'string' && body.SubPool ? body.SubPool : undefined;
      const lease = await api.call('ipam.requestPool', { subnet, ipRange });
      return { PoolID: lease.id, Pool: lease.subnet, Data: {} };
    },

    'IpamDriver.ReleasePool': async (body) => {
      await api.call('ipam.releasePool', { pool: poolOf(body) }).catch(ignoreNotFound);
      return {};
    },

    'IpamDriver.RequestAddress': async (body) => {
      const options = (body.Options ?? {}) as Record<string, unknown>;
      const gateway = options[DOCKER_KEYS.requestAddressType] === DOCKER_KEYS.gatewayRequest;
      const address = typeof body.Address === 'string' && body.Address ? withoutPrefix(body.Address) : undefined;
      const leased = await api.call('ipam.requestAddress', { pool: poolOf(body), address, gateway });
      return { Address: `${leased.address}/${leased.prefixLen}`, Data: {} };
    },

    'IpamDriver.ReleaseAddress': async (body) => {
      if (typeof body.Address !== 'string') throw invalidArgument('ReleaseAddress needs an Address');
      await api.call('ipam.releaseAddress', { pool: poolOf(body), address: withoutPrefix(body.Address) }).catch(ignoreNotFound);
      return {};
    },
  };
}

function ignoreNotFound(err: unknown): void {
  if (!isCtrnetError(err, 'NOT_FOUND')) throw err;
}
