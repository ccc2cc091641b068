import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { CtrnetError } from '@ctrnet/core';
import { formatServer } from './addresses.js';

const debug = createDebug('ctrnet:dns:bind');

/** How long to keep retrying a bind that fails because the address is not (yet) assignable. */
export interface BindRetry {
  /** Give up after this long, in ms. */
  timeoutMs: number;
  /** Wait between attempts, in ms. */
  intervalMs: number;
}

export const DEFAULT_BIND_RETRY: BindRetry = { timeoutMs: 3000, intervalMs: 100 };

/**
 * Runs `bind` until it succeeds, retrying EADDRNOTAVAIL: a bridge address
 * added a moment ago, or an IPv6 gateway still tentative while DAD runs
 * (aardvark-dns#725), cannot be bound yet. Other failures are final and
 * become a CtrnetError naming the address and what to do.
 */
export async function bindWithRetry<T>(what: string, address: string, port: number, bind: () => Promise<T>, retry: BindRetry): Promise<T> {
  const deadline = Date.now() + retry.timeoutMs;
  for (;;) {
    try {
      return await bind();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' && Date.now() + retry.intervalMs <= deadline) {
        debug('%s %s: not assignable yet; retrying', what, formatServer({ address, port }));
        await sleep(retry.intervalMs);
        continue;
      }
      throw bindError(what, address, port, err, retry);
    }
  }
}

function bindError(what: string, address: string, port: number, err: unknown, retry: BindRetry): CtrnetError {
  const where = formatServer({ address, port });
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new CtrnetError(
        'CONFLICT',
        `DNS ${what} ${where}: the port is taken (another DNS server such as dnsmasq?); start the resolver on another port and DNAT ${address}:53 to it`,
        { cause: err },
      );
    case 'EADDRNOTAVAIL':
      return new CtrnetError('INVALID_STATE', `DNS ${what} ${where}: no interface has this address after ${retry.timeoutMs} ms; add it (IPv6 with nodad) before listening`, {
        cause: err,
      });
    case 'EACCES':
      return new CtrnetError('PERMISSION_DENIED', `DNS ${what} ${where}: permission denied; ports below 1024 need root or CAP_NET_BIND_SERVICE`, { cause: err });
    default:
      return new CtrnetError('INTERNAL', `DNS ${what} ${where}: ${(err as Error).message}`, { cause: err });
  }
}
