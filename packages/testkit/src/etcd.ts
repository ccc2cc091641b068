/**
 * A throwaway single-member etcd for tests of cluster plugins: data in a
 * temp dir, client URL on a given address (an address inside a namespace
 * the test made, or loopback), peer URL on loopback so nothing else can
 * join. Stopped by PID and its data removed at cleanup; `kill` and `start`
 * let a test take it away and bring it back with its data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestNamespaces } from './namespaces.js';
import type { NetnsRef } from './netns.js';
import { spawnProcess, type SpawnedProcess } from './process.js';

export interface EtcdOptions {
  /** Namespace to run in; default the current one (then keep `address` on loopback). */
  netns?: NetnsRef;
  /** Client address; default 127.0.0.1. */
  address?: string;
  /** Client port; default a free one (found on loopback of this process's namespace). */
  port?: number;
}

export interface TestEtcd {
  /** The client URL, e.g. `http://127.0.0.1:23791`. */
  url: string;
  /** SIGKILL it; its data stays for {@link start}. */
  kill(): Promise<void>;
  /** (Re)start it on the same data; resolves once it serves. */
  start(): Promise<void>;
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start etcd and register its stop with `tn.defer` (not as a spawned
 * process): deferred steps run newest first, so when started before the
 * installations that use it, it outlives their cleanup.
 */
export async function startEtcd(tn: TestNamespaces, options: EtcdOptions = {}): Promise<TestEtcd> {
  const address = options.address ?? '127.0.0.1';
  const [port, peerPort] = [options.port ?? (await freePort()), await freePort()];
  const url = `http://${address}:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ctt-etcd-'));
  let proc: SpawnedProcess | undefined;
  tn.defer(async () => {
    await proc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async () => {
    proc = spawnProcess(options.netns, [
      'etcd',
      '--name', 'ctt',
      '--data-dir', dataDir,
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `ctt=${peer}`,
    ]);
    await proc.waitForOutput(/ready to serve client requests/, 20_000);
  };
  await start();
  return { url, start, kill: async () => proc?.stop(0) };
}
