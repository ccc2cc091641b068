/**
 * Running worker tasks from main.ts: each in a fresh bench host namespace,
 * its record read back, and everything deleted afterwards. Several may run
 * at once (the data plane keeps two setups up side by side); a signal
 * interrupts all of them.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resetLeftovers } from './ctrnet.js';
import { HostNamespace, ownNetns, type WorkerHandle } from './hostns.js';
import { netnsPath } from './netns.js';
import type { WorkerRecord, WorkerTask } from './worker.js';

/** What a task that wrote no record ended with. */
export interface NoRecord {
  status: 'failed' | 'interrupted';
  error: string;
}

/** A worker running in its host namespace. */
export interface StartedTask {
  readonly host: HostNamespace;
  /** Where the worker writes its record; tasks may put other files next to it (`<out>.ready`). */
  readonly out: string;
  /** Resolves to how the worker ended ("status 0", "signal SIGKILL"). */
  readonly exited: Promise<string>;
  /** Asks the worker to stop (SIGINT): it tears down what it made and writes its record. */
  stop(): void;
  /** Waits for the worker, reads its record, deletes the namespaces. Call exactly once. */
  finish<T extends WorkerRecord>(): Promise<T | NoRecord>;
}

export class Tasks {
  private index = 0;
  private requested = false;
  private readonly running = new Set<WorkerHandle>();

  constructor(
    /** Start of every namespace name of this bench run. */
    readonly prefix: string,
    private readonly tmpRoot: string,
  ) {}

  get interrupted(): boolean {
    return this.requested;
  }

  /** Stops every running worker; no new task starts after this. */
  interrupt(): void {
    this.requested = true;
    for (const handle of this.running) handle.interrupt();
  }

  async start(label: string, task: WorkerTask): Promise<StartedTask> {
    const host = new HostNamespace(`${this.prefix}-${this.index++}`);
    const tmpDir = mkdtempSync(join(this.tmpRoot, `${label}-`));
    const out = join(tmpDir, 'record.json');
    // If the name already exists it is not ours: create() throws and nothing gets deleted.
    await host.create();
    if (this.requested) {
      await this.cleanup(host);
      throw new Error('interrupted before it started');
    }
    const handle = host.startWorker({ task, tmpDir, netnsPrefix: host.containerPrefix, out, parentNetns: ownNetns() });
    this.running.add(handle);
    const finish = async <T extends WorkerRecord>(): Promise<T | NoRecord> => {
      try {
        const ending = await handle.exited;
        if (ending !== 'status 0') {
          await resetLeftovers(netnsPath(host.name), tmpDir).catch((err: unknown) => process.stderr.write(`bench: cleanup: ctrnet system reset: ${err instanceof Error ? err.message : String(err)}\n`));
        }
        if (existsSync(out)) return JSON.parse(readFileSync(out, 'utf8')) as T;
        return { status: this.requested ? 'interrupted' : 'failed', error: `worker ended (${ending}) before writing results` };
      } finally {
        this.running.delete(handle);
        await this.cleanup(host);
      }
    };
    return { host, out, exited: handle.exited, stop: () => handle.interrupt(), finish };
  }

  /** start() and finish() in one: the usual one-task-at-a-time case. */
  async run<T extends WorkerRecord>(label: string, task: WorkerTask): Promise<T | NoRecord> {
    try {
      return await (await this.start(label, task)).finish<T>();
    } catch (err) {
      return { status: this.requested ? 'interrupted' : 'failed', error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async cleanup(host: HostNamespace): Promise<void> {
    for (const error of await host.destroy()) process.stderr.write(`bench: cleanup: ${error}\n`);
  }
}
