import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import { execa } from 'execa';
import { ExecError, invalidArgument } from '@ctrnet/core';

const debug = createDebug('ctrnet:testkit:netns');

/** Where `ip netns add` bind-mounts named namespaces. */
export const NETNS_DIR = '/run/netns';

/**
 * Every namespace the testkit creates starts with this prefix, so a leak is
 * easy to spot (and to sweep by hand) in `ip netns list`.
 */
export const NETNS_PREFIX = 'ctt-';

/** Labels stay short so names remain readable and well under any length limit. */
const LABEL_PATTERN = /^[a-z0-9][a-z0-9-]{0,15}$/;

/** Result of a command run inside a namespace. */
export interface ExecOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Options for {@link NetnsHandle.exec}. */
export interface NetnsExecOptions {
  /** Written to the command's standard input. */
  input?: string;
  /** When false, a non-zero exit resolves instead of rejecting. Default true. */
  reject?: boolean;
}

/** A named network namespace, entered with `nsenter --net=PATH` (no private mount namespace). */
export interface NetnsHandle {
  /** The namespace name as `ip netns list` shows it, e.g. `ctt-host-1a2b3c`. */
  name: string;
  /** `/run/netns/<name>`: usable with `nsenter --net=PATH` and `ip link set X netns PATH`. */
  path: string;
  /**
   * Runs `nsenter --net=PATH -- argv`. Rejects with an {@link ExecError}
   * (argv, exit code, stderr) on a non-zero exit unless `reject: false`.
   */
  exec(argv: readonly string[], opts?: NetnsExecOptions): Promise<ExecOutput>;
}

/** Something that names a network namespace: a handle or a namespace file path. */
export type NetnsRef = NetnsHandle | string;

/** `['nsenter', '--net=PATH', '--', ...argv]`: runs argv in another network namespace without a shell. */
export function inNetns(netnsPath: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=${netnsPath}`, '--', ...argv];
}

/** Like {@link inNetns}, but `undefined` means "the current namespace" and leaves argv alone. */
export function inNetnsOrHere(ns: NetnsRef | undefined, argv: readonly string[]): string[] {
  return ns === undefined ? [...argv] : inNetns(netnsPath(ns), argv);
}

/** The namespace file path of a handle or path. */
export function netnsPath(ns: NetnsRef): string {
  if (typeof ns !== 'string') return ns.path;
  // A bare name would silently resolve against the cwd in nsenter; insist on a path.
  if (!ns.startsWith('/')) {
    throw invalidArgument(`netns "${ns}" is not a path; pass a NetnsHandle or a path such as ${NETNS_DIR}/${ns}`);
  }
  return ns;
}

/** A human-readable label for error messages: the namespace path, or "the current netns". */
export function describeNetns(ns: NetnsRef | undefined): string {
  return ns === undefined ? 'the current netns' : `netns ${netnsPath(ns)}`;
}

/**
 * `ctt-<label>-<suffix>`. The random suffix keeps names unique across test
 * processes running in parallel on one machine (namespace names are global).
 */
export function netnsName(label: string, suffix: string = randomBytes(3).toString('hex')): string {
  if (!LABEL_PATTERN.test(label)) {
    throw invalidArgument(`netns label "${label}" must be 1-16 chars of a-z, 0-9 and "-", starting with a letter or digit`);
  }
  return `${NETNS_PREFIX}${label}-${suffix}`;
}

/** Runs argv to completion (in `ns` when given); rejects with an ExecError unless `reject: false`. */
export async function execIn(ns: NetnsRef | undefined, argv: readonly string[], opts: NetnsExecOptions = {}): Promise<ExecOutput> {
  const full = inNetnsOrHere(ns, argv);
  debug('%o', full);
  // LC_ALL=C keeps tool messages in English so tests can match on them.
  const result = await execa(full[0]!, full.slice(1), { input: opts.input, reject: false, env: { LC_ALL: 'C' } });
  const output = { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 127 };
  if ((result.failed || output.exitCode !== 0) && opts.reject !== false) {
    throw new ExecError(full, output.exitCode, output.stderr || String(result.message ?? ''), { input: opts.input });
  }
  return output;
}

/** A handle for the namespace `/run/netns/<name>`; creates nothing. */
export function netnsHandle(name: string): NetnsHandle {
  const path = `${NETNS_DIR}/${name}`;
  return { name, path, exec: (argv, opts) => execIn(path, argv, opts) };
}
