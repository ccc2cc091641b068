/**
 * One ctrnetd for a bench task: started in the task's host namespace (the
 * worker already runs there) as `ctrnet daemon run`, so its PID is ours and
 * it is stopped by that PID, never by name. It runs in a session of its
 * own: a Ctrl-C on the terminal reaches main.ts, which stops the worker,
 * which stops the daemon after removing what it made through it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { ctrnetArgv, ctrnetEnv, daemonSocket } from './cli-process.js';
import { exec } from './exec.js';
import { readRss, type RssReading } from './rss.js';

const debug = createDebug('ctrnet:bench:ctrnetd');

const START_TIMEOUT_MS = 30_000;
/** ctrnetd lets requests in flight finish on SIGTERM; after this it is killed. */
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

export class Ctrnetd {
  private child?: ChildProcess;
  private exit?: Promise<string>;
  constructor(
    private readonly stateDir: string,
    /** Its stdout and stderr; outside the state dir, which ctrnet wants to itself. */
    private readonly logFile: string,
    /** A recorder for the daemon's node (`--require preload/time-server.cjs`) and what it needs in the environment. */
    private readonly recorder: { nodeArgs: string[]; env: NodeJS.ProcessEnv } = { nodeArgs: [], env: {} },
  ) {}

  /** PID of the running daemon. */
  get pid(): number {
    if (this.child?.pid === undefined) throw new Error('ctrnetd is not running');
    return this.child.pid;
  }

  /**
   * Starts the daemon and waits until `ctrnet daemon status` (the client's
   * own check, with the same environment as every timed call) says it serves
   * this state dir.
   */
  async start(): Promise<void> {
    const [node, ...args] = ctrnetArgv(this.stateDir, ['daemon', 'run'], this.recorder.nodeArgs);
    const log = openSync(this.logFile, 'a');
    const child = spawn(node!, args, { env: ctrnetEnv(undefined, this.recorder.env), stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.on('error', (err) => resolve(`failed to start: ${err.message}`));
      child.on('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `status ${code}`));
    });
    let ended: string | undefined;
    void this.exit.then((how) => (ended = how));
    for (let waited = 0; waited < START_TIMEOUT_MS; waited += POLL_MS) {
      if (ended !== undefined) throw new Error(`ctrnetd exited (${ended}) before it served ${this.stateDir}: ${this.logTail()}`);
      if (existsSync(daemonSocket(this.stateDir)) && (await this.serves())) {
        debug('pid %d serves %s after %d ms', child.pid, this.stateDir, waited);
        return;
      }
      await sleep(POLL_MS);
    }
    throw new Error(`ctrnetd (pid ${child.pid}) did not serve ${this.stateDir} within ${START_TIMEOUT_MS / 1000} s: ${this.logTail()}`);
  }

  private serves(): Promise<boolean> {
    return exec(ctrnetArgv(this.stateDir, ['daemon', 'status']), { env: ctrnetEnv('required') }).then(
      () => true,
      () => false,
    );
  }

  /** Its resident memory now (not the peak). */
  rss(): RssReading | undefined {
    return this.child?.pid === undefined ? undefined : readRss(this.child.pid);
  }

  /** SIGTERM by PID and wait; SIGKILL if it does not stop in time. Does nothing when it is not running. */
  async stop(): Promise<void> {
    const { child, exit } = this;
    if (!child || !exit || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const how = await Promise.race([exit, sleep(STOP_TIMEOUT_MS).then(() => undefined)]);
    if (how === undefined) {
      child.kill('SIGKILL');
      await exit;
      throw new Error(`ctrnetd (pid ${child.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM and was killed: ${this.logTail()}`);
    }
    debug('pid %d stopped: %s', child.pid, how);
  }

  private logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') || '(empty log)';
    } catch {
      return '(no log)';
    }
  }
}
