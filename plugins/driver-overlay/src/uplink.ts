/**
 * The MTU of the interface holding this host's advertise address: the
 * tunnel's packets leave through it, so the overlay's MTU is 50 below it
 * (flannel's rule).
 */
import { CtrnetError, type Executor } from '@ctrnet/core';

interface AddrEntry {
  ifname: string;
  mtu: number;
  addr_info?: { local?: string }[];
}

export async function uplinkMtu(exec: Executor, advertiseAddress: string): Promise<number> {
  const { stdout } = await exec.run(['ip', '-j', '-4', 'addr', 'show']);
  const entry = (JSON.parse(stdout || '[]') as AddrEntry[]).find((e) => e.addr_info?.some((a) => a.local === advertiseAddress));
  if (!entry) {
    throw new CtrnetError('INVALID_CONFIG', `cluster.advertiseAddress ${advertiseAddress} is not an address of this host; set it to this host's address on the network the hosts share`);
  }
  return entry.mtu;
}
