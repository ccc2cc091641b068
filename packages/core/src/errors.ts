/**
 * Every error ctrnet raises is a {@link CtrnetError} with a stable code from
 * {@link ERROR_CODES}. The code decides the exit status: `usage` errors exit 2
 * (nothing was changed), everything else exits 1 (whatever was half-done was
 * rolled back). Scripts may match on codes; messages may be reworded.
 */
export const ERROR_CODES = {
  /** A value given by the user (flag, argument, config key) is invalid. */
  INVALID_ARGUMENT: { exit: 2 },
  /** The config file cannot be read or does not match the schema. */
  INVALID_CONFIG: { exit: 2 },
  /** A named object (container, network, plugin, driver) does not exist. */
  NOT_FOUND: { exit: 2 },
  /** The object already exists, or a resource is held by someone else. */
  CONFLICT: { exit: 2 },
  /** A plugin module is missing, malformed or incompatible. */
  PLUGIN_INVALID: { exit: 2 },
  /** Address or port pools have nothing left to give. */
  EXHAUSTED: { exit: 1 },
  /** The operation is refused in the object's current state. */
  INVALID_STATE: { exit: 2 },
  /** A kernel command (ip, nft, iptables-restore, ...) failed. */
  EXEC_FAILED: { exit: 1 },
  /** A lifecycle hook did not answer in time. */
  HOOK_TIMEOUT: { exit: 1 },
  /** ctrnet lacks the privileges it needs. */
  PERMISSION_DENIED: { exit: 1 },
  /** The state store is unusable (corrupt, newer schema, locked too long). */
  STATE_ERROR: { exit: 1 },
  /** An operation failed and cleaning up after it failed too; `ctrnet system gc` finishes the cleanup. */
  INCOMPLETE: { exit: 1 },
  /** ctrnetd is required (config `daemon: required`) but does not answer, or answered in a way the client cannot use. */
  DAEMON_UNAVAILABLE: { exit: 1 },
  /** A service ctrnet depends on (a cluster's shared store) does not answer; what runs keeps running. */
  UNAVAILABLE: { exit: 1 },
  /** A bug: something that should not happen did. */
  INTERNAL: { exit: 1 },
} as const satisfies Record<string, { exit: 1 | 2 }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Marks CtrnetErrors across copies of @ctrnet/core (a bundled CLI and a plugin's own copy). */
const BRAND = Symbol.for('ctrnet.CtrnetError');

/** The one error class of ctrnet. `message` names the object and the next step. */
export class CtrnetError extends Error {
  override readonly name = 'CtrnetError';
  readonly [BRAND] = true;

  /** `instanceof` that also recognises errors thrown by another copy of this class. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The process exit status this error maps to (2 = bad input, 1 = failure). */
  get exitStatus(): 1 | 2 {
    return ERROR_CODES[this.code].exit;
  }
}

/** Shorthand for the most common error: a bad user-supplied value. */
export function invalidArgument(message: string, cause?: unknown): CtrnetError {
  return new CtrnetError('INVALID_ARGUMENT', message, cause === undefined ? undefined : { cause });
}

/** True when `err` is a CtrnetError with one of `codes` (any code if none given). */
export function isCtrnetError(err: unknown, ...codes: ErrorCode[]): err is CtrnetError {
  return err instanceof CtrnetError && (codes.length === 0 || codes.includes(err.code));
}

/** The first line of an error's message, for folding several into one line. */
function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}

/**
 * Several steps of a teardown (or a rollback) failed. Every failure is kept
 * (an AggregateError as `cause`); the message names the first and tells the
 * user how to finish: the operation's journal stays open for gc.
 */
export function incomplete(doing: string, failures: readonly unknown[], original?: unknown): CtrnetError {
  const all = original === undefined ? [...failures] : [original, ...failures];
  const head = original === undefined ? `${doing} failed` : `${firstLine(original)}; rolling back also failed`;
  const count = failures.length === 1 ? '1 step' : `${failures.length} steps`;
  return new CtrnetError('INCOMPLETE', `${head} (${count}, first: ${firstLine(failures[0])}); run ctrnet system gc to finish the cleanup`, {
    cause: new AggregateError(all, doing),
  });
}
