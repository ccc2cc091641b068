/**
 * The CNI protocol facts this plugin relies on (SPEC.md 1.1): the versions
 * it speaks, the error codes, and the error a command reports on stdout.
 */
import { isCtrnetError, type ErrorCode } from '@ctrnet/core/api';

/** Versions ctrnet answers in; a result is always in the version of the request. */
export const SUPPORTED_VERSIONS = ['0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];

/** What a VERSION request without a usable cniVersion is answered with. */
export const LATEST_VERSION: CniVersion = '1.1.0';

export const COMMANDS = ['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION'] as const;
export type CniCommand = (typeof COMMANDS)[number];

/** The spec's error codes (0-99), and ctrnet's own (100 and up, documented in the README). */
export const CNI_CODES = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  notAvailable: 50,
  /** CHECK: the attachment exists but differs from what ADD made. */
  checkFailed: 100,
  /** An address, port or interface name is held by someone else (ADD of an attachment that exists). */
  conflict: 101,
  /** No free address or port left. */
  exhausted: 102,
  /** A kernel command failed. */
  kernelFailure: 103,
  /** Anything else (a bug); libcni uses the same code for its internal errors. */
  internal: 999,
} as const;

/** A failure as CNI reports it: `{cniVersion, code, msg, details}` on stdout, exit status 1. */
export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }

  /** The error JSON in the version of the request (old plugins omitted cniVersion; we always send it). */
  toJson(cniVersion: string): string {
    return JSON.stringify({ cniVersion, code: this.code, msg: this.message, ...(this.details ? { details: this.details } : {}) });
  }
}

const CODE_OF: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: CNI_CODES.invalidConfig,
  INVALID_CONFIG: CNI_CODES.invalidConfig,
  NOT_FOUND: CNI_CODES.invalidConfig,
  CONFLICT: CNI_CODES.conflict,
  INVALID_STATE: CNI_CODES.invalidConfig,
  EXHAUSTED: CNI_CODES.exhausted,
  EXEC_FAILED: CNI_CODES.kernelFailure,
  INCOMPLETE: CNI_CODES.kernelFailure,
  // The state store was locked too long, the daemon went away mid-call: the runtime may retry.
  STATE_ERROR: CNI_CODES.tryAgainLater,
  DAEMON_UNAVAILABLE: CNI_CODES.tryAgainLater,
};

/** Any error thrown while serving a command, as a CniError. */
export function toCniError(err: unknown): CniError {
  if (err instanceof CniError) return err;
  if (isCtrnetError(err)) return new CniError(CODE_OF[err.code] ?? CNI_CODES.internal, err.message, err.code);
  return new CniError(CNI_CODES.internal, `ctrnet CNI plugin failed: ${(err as Error)?.message ?? String(err)}`);
}
