/**
 * What a plugin may leave running and what it may report: resident services
 * (watches of a shared store, periodic renewals) that ctrnetd starts and
 * stops, and lines for `system info`. A one-shot command starts no service,
 * so whatever a plugin must do for a command to be right it does in the
 * command's own path; a service only keeps things in step between commands.
 */
import type { PluginContext } from './driver.js';
import type { ClusterConfig } from './config.js';
import type { Network } from './types.js';

/** The settings a plugin may read, from the effective config. */
export interface PluginSettings {
  /** This installation's state dir: a plugin may keep files of its own under it. */
  readonly stateDir: string;
  /** The cluster this host belongs to (config key `cluster`); absent for a single-host installation. */
  readonly cluster?: Readonly<ClusterConfig>;
}

/** What a running service may ask of the runtime. */
export interface ServiceContext extends PluginContext {
  /** The networks this installation holds, as stored. */
  networks(): readonly Network[];
  /**
   * Bring the local store in line with the networks drivers share with other
   * hosts (see `NetworkDriver.shared`): import new ones, drop removed ones.
   * Takes the operation lock; safe to call at any time.
   */
  syncNetworks(): Promise<void>;
  /** Run `system gc`: every driver re-programs the kernel for its networks (after the service lost and regained its store). */
  reconcile(): Promise<string[]>;
}

/** A resident service: started by ctrnetd once it serves, stopped before it exits. */
export interface PluginService {
  /** Names the service in logs and errors. */
  readonly name: string;
  /** Start the resident work; resolves once started (never waits for the work itself). Must not throw for a store that is down: retry inside. */
  start(ctx: ServiceContext): Promise<void>;
  /** Stop everything `start` began. Idempotent. */
  stop(): Promise<void>;
}

/** A titled block of `system info` lines. */
export interface InfoSection {
  /** Heading, e.g. `Cluster`. */
  readonly title: string;
  /** The block's lines, as of now. Throwing shows the error as the block's only line. */
  lines(ctx: PluginContext): Promise<string[]>;
}
