/**
 * What a benchmarked tool must provide. The harness creates containers
 * 1..N in order, then removes them N..1, and times every setup and
 * teardown call; everything else (prepare, verify, memory probes) is untimed.
 */
import type { RunProfile } from './exec-profile.js';
import type { RssReading } from './rss.js';

/** Host port published by container `i` (host port 20000+i → container port 80). */
export function hostPort(i: number): number {
  return 20000 + i;
}

/** Container port every container publishes. */
export const CONTAINER_PORT = 80;

/** Where a runner may keep state, and how its kernel objects must be named. */
export interface RunnerContext {
  /** Private scratch directory (IPAM data, config dirs); deleted by the harness after the run. */
  readonly tmpDir: string;
  /**
   * Prefix every container network namespace name must start with. The harness
   * deletes leftovers by this prefix, so a crashed runner cannot leak namespaces.
   */
  readonly netnsPrefix: string;
  /** How many containers the harness will create. */
  readonly n: number;
}

/** One tool under test, driven by the harness inside a throwaway host namespace. */
export interface Runner {
  /** Name shown in the results; also the key `--only` selects by. */
  readonly name: string;
  /** Untimed: check tools exist, record versions, create shared state. */
  prepare(): Promise<void>;
  /** Timed: create container `i` with one published TCP port, hostPort(i) → CONTAINER_PORT. */
  setup(i: number): Promise<void>;
  /** Timed: remove container `i` and everything setup(i) made. */
  teardown(i: number): Promise<void>;
  /** Untimed: release shared state (bridges, daemons, files). */
  close(): Promise<void>;
  /**
   * Processes whose peak RSS (VmHWM) counts as this runner's memory, e.g. a
   * daemon. The harness samples them after every timed call.
   */
  pids?(): number[];
  /**
   * Current (not peak) memory of the runner's resident process, e.g. a
   * daemon. The harness reads it after prepare() (idle, right after start)
   * and after the N containers were created and removed.
   */
  residentRss?(): RssReading | undefined;
  /** One line for the results: versions, firewall backend, what the timing includes. */
  describe?(): string;
  /**
   * Untimed check after setup(1) that the container really exists (address
   * on eth0, port rule present), so a silently failing command is never timed.
   * Resolves to a short description of what was found; rejects when broken.
   */
  verify?(i: number): Promise<string>;
  /**
   * Peak RSS in KiB of the short-lived processes this runner spawns, measured
   * by the runner itself (for tools that are a new process per call).
   */
  peakRssKiB?(): Promise<number | undefined>;
  /** Where the timed calls spent their time (in-process runners that see their kernel commands). */
  profile?(): RunProfile;
}

/** A registered runner: a name the CLI can select, and how to build it. */
export interface RunnerDefinition {
  readonly name: string;
  create(context: RunnerContext): Runner;
}
