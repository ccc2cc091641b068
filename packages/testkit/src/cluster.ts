/**
 * A cluster of ctrnet hosts, for e2e checks and benchmarks of plugins whose
 * networks span hosts: a LAN namespace holding a bridge,
 * one etcd listening on the LAN bridge's address, and N host namespaces on
 * veths to that bridge, each with its own state dir, config (cluster key
 * included) and ctrnetd. Everything lives in namespaces the test made.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCtrnetEnv, type CtrnetEnv } from './ctrnet-env.js';
import { startEtcd } from './etcd.js';
import type { TestNamespaces } from './namespaces.js';
import type { NetnsHandle } from './netns.js';

/** The LAN: 10.77.0.0/24; the bridge (and etcd) at .1, host i at .(11+i). */
const LAN_BRIDGE_IP = '10.77.0.1';
const ETCD_URL = `http://${LAN_BRIDGE_IP}:2379`;
const hostIp = (i: number) => `10.77.0.${11 + i}`;

/** One host of a {@link Cluster}: an installation with its cluster name and LAN address. */
export interface ClusterHost extends CtrnetEnv {
  name: string;
  ip: string;
}

export interface ClusterOptions {
  /** The config's `plugins` of every host (the cluster plugins included). */
  plugins: readonly string[];
  /** `cluster.leaseTtlSeconds` of every host; default the config's default. */
  leaseTtlSeconds?: number;
}

/** What {@link createCluster} made. */
export interface Cluster {
  lan: NetnsHandle;
  hosts: ClusterHost[];
  /** (Re)start etcd on its data dir (it keeps its data across restarts). */
  startEtcd(): Promise<void>;
  /** SIGKILL etcd. */
  killEtcd(): Promise<void>;
  /** SIGKILL a host's ctrnetd, and then its `ip`/`nft` coprocesses (they outlive it); containers live on. */
  killDaemon(host: ClusterHost): void;
  /** etcdctl in the LAN namespace; returns stdout. */
  etcdctl(...args: string[]): Promise<string>;
}

/** Make the LAN, start etcd on it, and `count` hosts (`host-a`, `host-b`, ...) each with its ctrnetd. */
export async function createCluster(tn: TestNamespaces, count: number, opts: ClusterOptions): Promise<Cluster> {
  const lan = await tn.create('lan');
  await lan.exec(['ip', 'link', 'add', 'lanbr', 'type', 'bridge']);
  await lan.exec(['ip', 'addr', 'add', `${LAN_BRIDGE_IP}/24`, 'dev', 'lanbr']);
  await lan.exec(['ip', 'link', 'set', 'lanbr', 'up']);
  // Started before the hosts, so it outlives their cleanup (their resets still talk to it).
  const etcd = await startEtcd(tn, { netns: lan, address: LAN_BRIDGE_IP, port: 2379 });
  const hosts: ClusterHost[] = [];
  for (let i = 0; i < count; i++) {
    const name = `host-${String.fromCharCode(97 + i)}`;
    const ip = hostIp(i);
    const env = await createCtrnetEnv(tn, {
      daemon: true,
      config: {
        plugins: opts.plugins,
        cluster: { etcd: [ETCD_URL], hostName: name, advertiseAddress: ip, ...(opts.leaseTtlSeconds ? { leaseTtlSeconds: opts.leaseTtlSeconds } : {}) },
      },
    });
    await lan.exec(['ip', 'link', 'add', `l${i}`, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', env.host.path]);
    await lan.exec(['ip', 'link', 'set', `l${i}`, 'master', 'lanbr', 'up']);
    await env.host.exec(['ip', 'addr', 'add', `${ip}/24`, 'dev', 'uplink']);
    await env.host.exec(['ip', 'link', 'set', 'uplink', 'up']);
    hosts.push({ ...env, name, ip });
  }
  return {
    lan,
    hosts,
    startEtcd: () => etcd.start(),
    killEtcd: () => etcd.kill(),
    killDaemon: (host) => killDaemon(host),
    etcdctl: async (...args) => (await lan.exec(['etcdctl', '--endpoints', ETCD_URL, ...args])).stdout,
  };
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const task of safe(() => readdirSync(`/proc/${pid}/task`), [])) {
    for (const child of safe(() => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8'), '').split(' ').filter(Boolean).map(Number)) {
      out.push(child, ...descendants(child));
    }
  }
  return out;
}

function killDaemon(host: ClusterHost): void {
  const pid = Number(readFileSync(join(host.stateDir, 'ctrnetd.pid'), 'utf8').trim());
  // Container supervisors are its descendants too: they must live on, as after a real daemon crash.
  const helpers = descendants(pid).filter((p) => ['ip', 'nft'].includes(safe(() => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0]!.split('/').pop()!, '')));
  process.kill(pid, 'SIGKILL');
  for (const child of helpers) safe(() => process.kill(child, 'SIGKILL'), undefined);
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
