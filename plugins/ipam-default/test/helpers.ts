/** Shared fixtures: a real Store on a temp dir and a fake executor that answers `ip route`. */
import type { IpamContext } from '@ctrnet/core';
import { CtrnetError, RecordingExecutor, Store } from '@ctrnet/core';
import { expect } from 'chai';
import createDebug from 'debug';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A route as `ip -j -4 route show table all` prints it (the fields we read, plus some noise). */
export interface FakeRoute {
  dst: string;
  table?: string;
  type?: string;
  dev?: string;
}

/** The routes of a typical host: default via eth0, its LAN, and the local table. */
export const TYPICAL_ROUTES: FakeRoute[] = [
  { dst: 'default', dev: 'eth0' },
  { dst: '192.0.2.0/24', dev: 'eth0' },
  { type: 'local', dst: '127.0.0.0/8', table: 'local', dev: 'lo' },
  { type: 'local', dst: '192.0.2.2', table: 'local', dev: 'eth0' },
  { type: 'broadcast', dst: '192.0.2.255', table: 'local', dev: 'eth0' },
];

export interface Fixture {
  ctx: IpamContext;
  store: Store;
  exec: RecordingExecutor;
  stateDir: string;
  /** Close the store and delete its directory. */
  cleanup(): void;
}

export function makeFixture(options: { routes?: FakeRoute[]; pools?: { base: string; size: number }[] } = {}): Fixture {
  const stateDir = mkdtempSync(join(tmpdir(), 'ctrnet-ipam-'));
  const store = new Store(stateDir);
  const routes = options.routes ?? TYPICAL_ROUTES;
  const exec = new RecordingExecutor((argv) => (argv[0] === 'ip' && argv.includes('route') ? { stdout: JSON.stringify(routes) } : {}));
  const ctx: IpamContext = {
    exec,
    log: createDebug('ctrnet:ipam-default:test'),
    addresses: store.addresses,
    defaultAddressPools: options.pools ?? [{ base: '172.17.0.0/12', size: 16 }],
  };
  return {
    ctx,
    store,
    exec,
    stateDir,
    cleanup() {
      store.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Run `fn`, expect it to throw a CtrnetError, and return that error. */
export async function ctrnetError(fn: () => unknown): Promise<CtrnetError> {
  try {
    await fn();
  } catch (err) {
    expect(err).to.be.instanceOf(CtrnetError);
    return err as CtrnetError;
  }
  expect.fail('expected a CtrnetError, but nothing was thrown');
}

/** A network id like core makes them (64 hex characters), distinct for each small `n`. */
export function networkId(n: number): string {
  return n.toString(16).repeat(64).slice(0, 64);
}
