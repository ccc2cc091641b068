import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exec } from './exec.js';
import { deleteNetnsByPrefix, netnsPath } from './netns.js';
import type { WorkerSpec } from './worker.js';

/** The namespace main.ts runs in (the real host's); workers must be anywhere else. */
export function ownNetns(): string {
  return readlinkSync('/proc/self/ns/net');
}

/** A running worker: its process, and a promise of how it ended ("status 1", "signal SIGKILL"). */
export interface WorkerHandle {
  interrupt(): void;
  exited: Promise<string>;
}

/**
 * Everything one runner's run lives in: a fresh named namespace playing the
 * host, and the container namespaces the runner creates under `<base>-c`.
 * A fresh one per runner keeps one tool's rules from slowing down the next.
 */
export class HostNamespace {
  readonly name: string;
  readonly containerPrefix: string;

  constructor(base: string) {
    this.name = `${base}-h`;
    this.containerPrefix = `${base}-c`;
  }

  async create(): Promise<void> {
    await exec(['ip', 'netns', 'add', this.name]);
  }

  /** Starts worker.js inside the namespace with nsenter (no private mount namespace, unlike `ip netns exec`). */
  startWorker(spec: WorkerSpec): WorkerHandle {
    const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
    const child = spawn('nsenter', [`--net=${netnsPath(this.name)}`, '--', process.execPath, worker, JSON.stringify(spec)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: process.env,
    });
    const exited = new Promise<string>((resolve) => {
      child.on('error', (err) => resolve(`failure to start nsenter: ${err.message}`));
      child.on('close', (code, signal) => resolve(signal ? `signal ${signal}` : `status ${code}`));
    });
    return { interrupt: () => child.kill('SIGINT'), exited };
  }

  /**
   * Deletes container namespaces the runner left behind, then the host
   * namespace (which takes bridges, veth host ends and rules with it).
   * Returns what could not be deleted.
   */
  async destroy(): Promise<string[]> {
    const errors = await deleteNetnsByPrefix(this.containerPrefix);
    await exec(['ip', 'netns', 'del', this.name]).catch((err: Error) => errors.push(err.message));
    return errors;
  }
}
